#include "../core/layerfixtures.h"
#include "core/common/controlcharacters.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

QString imagePath(const QString &name)
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", QStringLiteral("..")) +
           QStringLiteral("/tests/data/images/") + name;
}

// Characters a terminal acts on: C0 controls but "\n", DEL and the C1 controls.
bool hasTerminalControls(const QString &text)
{
    for (QChar c : text)
        if ((c.unicode() < 0x20 && c != u'\n') || (c.unicode() >= 0x7f && c.unicode() <= 0x9f))
            return true;
    return false;
}

// What a hostile image puts in its history and file names: a screen clear, a window title,
// an 8-bit CSI, a carriage return that hides what came before.
const QString HostileCreatedBy =
    QStringLiteral("/bin/sh -c echo \x1b[2J\x1b]0;owned\x07 done\rRUN true \u009b31m");
const QString HostileComment = QStringLiteral("\x1b[5mblink\x7f");

// A docker-archive with that history and a layer whose file names carry escapes.
QString writeHostileArchive(const QString &dir)
{
    const QByteArray layer = fixtures::makeTar(
        {{QStringLiteral("evil\x1b[31mname"), 'f', "x"}, {QStringLiteral("new\nline"), 'f', "y"}});
    const QString diffId =
        QStringLiteral("sha256:") +
        QString::fromLatin1(QCryptographicHash::hash(layer, QCryptographicHash::Sha256).toHex());
    const QJsonObject config{
        {QStringLiteral("architecture"), QStringLiteral("amd64")},
        {QStringLiteral("os"), QStringLiteral("linux")},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), QJsonArray{diffId}}}},
        {QStringLiteral("history"), QJsonArray{QJsonObject{{QStringLiteral("created_by"), HostileCreatedBy},
                                                           {QStringLiteral("comment"), HostileComment}}}}};
    const QJsonArray manifest{
        QJsonObject{{QStringLiteral("Config"), QStringLiteral("config.json")},
                    {QStringLiteral("RepoTags"), QJsonArray{QStringLiteral("hostile:1")}},
                    {QStringLiteral("Layers"), QJsonArray{QStringLiteral("layer.tar")}}}};
    const QString path = dir + QStringLiteral("/hostile.tar");
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    out.write(fixtures::makeTar({{QStringLiteral("layer.tar"), 'f', layer},
                                 {QStringLiteral("config.json"), 'f', QJsonDocument(config).toJson()},
                                 {QStringLiteral("manifest.json"), 'f', QJsonDocument(manifest).toJson()}}));
    return path;
}

} // namespace

class TestCliInspect : public QObject
{
    Q_OBJECT

private:
    Run run(const QStringList &args)
    {
        QProcess p;
        p.setProgram(QStringLiteral(STAGECRAFT_BIN));
        QStringList all{QStringLiteral("inspect"), QStringLiteral("--store"), m_store->path()};
        all += args;
        p.setArguments(all);
        p.start();
        if (!p.waitForFinished(120000))
            return {};
        return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                   QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }
    QJsonObject json(const QStringList &args)
    {
        const Run r = run(args);
        if (r.exitCode != 0)
            qWarning().noquote() << r.err;
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }

    std::unique_ptr<QTemporaryDir> m_store;

private Q_SLOTS:
    void init()
    {
        m_store = std::make_unique<QTemporaryDir>();
        QVERIFY(m_store->isValid());
    }

    void jsonOfBuildImage_data();
    void jsonOfBuildImage();
    void files();
    void cacheIsWritten();
    void diveModel();
    void storeReference();
    void text();
    void ci_data();
    void ci();
    void errors_data();
    void errors();
    void controlCharactersEscaped_data();
    void controlCharactersEscaped();
    void hostileImageText();
    void hostileImageJson();
};

void TestCliInspect::jsonOfBuildImage_data()
{
    QTest::addColumn<QString>("image");
    QTest::addRow("docker-archive") << "build.docker.tar";
    QTest::addRow("oci-layout") << "build.oci";
    QTest::addRow("oci-layout-named") << "build.oci:stagecraft-fixture-build";
}

void TestCliInspect::jsonOfBuildImage()
{
    QFETCH(QString, image);
    const QJsonObject o = json({QStringLiteral("--json"), imagePath(image)});
    QCOMPARE(o.value(QStringLiteral("totalSize")).toInteger(), 3096536);
    QCOMPARE(o.value(QStringLiteral("wastedBytes")).toInteger(), 1048576 + 6 + 65536 + 2);
    QCOMPARE(o.value(QStringLiteral("wasteModel")).toString(), QStringLiteral("per-file"));
    const double efficiency = o.value(QStringLiteral("efficiency")).toDouble();
    QCOMPARE(efficiency, double(30 + 1982256 + 23 + 3 + 2) / double(3096431));
    QVERIFY(o.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("sha256:")));

    const QJsonArray layers = o.value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.size(), 8);
    const QList<qint64> sizes{1982391, 0, 0, 23, 1048579, 3, 65538, 2};
    for (int i = 0; i < layers.size(); ++i) {
        const QJsonObject l = layers[i].toObject();
        QCOMPARE(l.value(QStringLiteral("size")).toInteger(), sizes[i]);
        QVERIFY(l.value(QStringLiteral("digest")).toString().startsWith(QStringLiteral("sha256:")));
        QVERIFY(l.value(QStringLiteral("diffId")).toString().startsWith(QStringLiteral("sha256:")));
        QVERIFY(l.value(QStringLiteral("compressedSize")).toInteger() > 0);
        QVERIFY(l.value(QStringLiteral("added")).isDouble());
        QVERIFY(l.value(QStringLiteral("modified")).isDouble());
        QVERIFY(l.value(QStringLiteral("removed")).isDouble());
        QVERIFY(!l.contains(QStringLiteral("files")));
    }
    QCOMPARE(layers[0].toObject().value(QStringLiteral("diffId")).toString(),
             QStringLiteral("sha256:43e1aca441cb4764b08da753fa4c2341823fd58e4d9d1d18442a858bf19cedd9"));
    QCOMPARE(layers[5].toObject().value(QStringLiteral("createdBy")).toString(),
             QStringLiteral("RUN /bin/sh -c rm /out/blob.bin && echo v2 > /out/app # buildkit"));
    QCOMPARE(layers[5].toObject().value(QStringLiteral("removed")).toInt(), 1);
    QCOMPARE(layers[7].toObject().value(QStringLiteral("removed")).toInt(), 2);

    const QJsonArray wasted = o.value(QStringLiteral("inefficientFiles")).toArray();
    QCOMPARE(wasted.size(), 4);
    QCOMPARE(wasted[0].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/out/blob.bin"));
    QCOMPARE(wasted[0].toObject().value(QStringLiteral("count")).toInt(), 2);
    QCOMPARE(wasted[0].toObject().value(QStringLiteral("wastedBytes")).toInteger(), 1048576);
    QCOMPARE(wasted[1].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/cache/a"));
}

void TestCliInspect::files()
{
    const QJsonObject o =
        json({QStringLiteral("--json"), QStringLiteral("--files"), imagePath(QStringLiteral("build.oci"))});
    const QJsonObject opaque = o.value(QStringLiteral("layers")).toArray().at(7).toObject();
    const QJsonObject files = opaque.value(QStringLiteral("files")).toObject();
    const QJsonArray removed = files.value(QStringLiteral("removed")).toArray();
    QCOMPARE(removed.size(), 2);
    QCOMPARE(removed[0].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/cache/a"));
    QCOMPARE(removed[0].toObject().value(QStringLiteral("size")).toInteger(), 65536);
    QCOMPARE(removed[1].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/cache/b"));
    const QJsonArray added = files.value(QStringLiteral("added")).toArray();
    QCOMPARE(added.size(), 1);
    QCOMPARE(added[0].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/cache/c"));
    QCOMPARE(added[0].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("file"));
    QCOMPARE(opaque.value(QStringLiteral("added")).toInt(), 1);
}

void TestCliInspect::cacheIsWritten()
{
    const QJsonObject first = json({QStringLiteral("--json"), imagePath(QStringLiteral("build.docker.tar"))});
    QStringList indexes;
    QDirIterator it(m_store->path(), {QStringLiteral("*.idx")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        indexes << it.next();
    QCOMPARE(indexes.size(), 8);
    // The OCI form of the same image reuses them (same diff IDs), and sees the same.
    const QJsonObject second = json({QStringLiteral("--json"), imagePath(QStringLiteral("build.oci"))});
    QCOMPARE(second.value(QStringLiteral("totalSize")), first.value(QStringLiteral("totalSize")));
    QCOMPARE(second.value(QStringLiteral("inefficientFiles")),
             first.value(QStringLiteral("inefficientFiles")));
    // Compressed sizes are the OCI blobs', not the cached tar's.
    QVERIFY(second.value(QStringLiteral("compressedSize")).toInteger() <
            first.value(QStringLiteral("compressedSize")).toInteger());

    const QJsonObject uncached = json(
        {QStringLiteral("--json"), QStringLiteral("--no-cache"), imagePath(QStringLiteral("build.oci"))});
    QCOMPARE(uncached.value(QStringLiteral("layers")), second.value(QStringLiteral("layers")));
}

void TestCliInspect::diveModel()
{
    const QJsonObject o = json({QStringLiteral("--json"), QStringLiteral("--waste-model"),
                                QStringLiteral("dive"), imagePath(QStringLiteral("build.docker.tar"))});
    QCOMPARE(o.value(QStringLiteral("wasteModel")).toString(), QStringLiteral("dive"));
    QCOMPARE(o.value(QStringLiteral("wastedBytes")).toInteger(), 1048576 + 6);
    QCOMPARE(o.value(QStringLiteral("inefficientFiles")).toArray().size(), 2);
}

void TestCliInspect::storeReference()
{
    QProcess import;
    import.start(QStringLiteral(STAGECRAFT_BIN),
                 {QStringLiteral("import"), QStringLiteral("--store"), m_store->path(), QStringLiteral("-t"),
                  QStringLiteral("fixture:final"), imagePath(QStringLiteral("final.docker.tar"))});
    QVERIFY(import.waitForFinished(120000));
    QVERIFY2(import.exitCode() == 0, import.readAllStandardError().constData());
    const QJsonObject o = json({QStringLiteral("--json"), QStringLiteral("fixture:final")});
    QCOMPARE(o.value(QStringLiteral("totalSize")).toInteger(), 1982259);
    QCOMPARE(o.value(QStringLiteral("wastedBytes")).toInteger(), 0);
    QCOMPARE(o.value(QStringLiteral("efficiency")).toDouble(), 1.0);
    QCOMPARE(o.value(QStringLiteral("layers")).toArray().size(), 2);
}

void TestCliInspect::text()
{
    const Run r = run({QStringLiteral("--files"), QStringLiteral("--layers"),
                       imagePath(QStringLiteral("build.docker.tar"))});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("Total size:   3.1 MB (3096536 bytes) in 8 layers")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("Wasted:       1.1 MB (1114120 bytes)")));
    QVERIFY(r.out.contains(QStringLiteral("Efficiency:   64.02 %")));
    QVERIFY(r.out.contains(QStringLiteral("    2     1.0 MB  /out/blob.bin")));
    QVERIFY(r.out.contains(QStringLiteral("  - 1.0 MB  /out/blob.bin")) ||
            r.out.contains(QStringLiteral("-   1.0 MB  /out/blob.bin")));
    QVERIFY(r.out.contains(QStringLiteral("1048579")));
    QVERIFY(r.out.contains(QStringLiteral("43e1aca441cb")));
    QVERIFY(r.out.contains(QStringLiteral("3 added, 0 modified, 0 removed")));
}

void TestCliInspect::ci_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("lines");

    // dive's defaults: lowest-efficiency 0.9, highest-user-wasted-percent 0.1.
    QTest::addRow("build-defaults") << "build.docker.tar" << QStringList{} << 1
                                    << QStringList{QStringLiteral("FAIL: lowest-efficiency"),
                                                   QStringLiteral("SKIP: highest-wasted-bytes"),
                                                   QStringLiteral("FAIL: highest-user-wasted-percent")};
    QTest::addRow("final-defaults") << "final.oci" << QStringList{} << 0
                                    << QStringList{QStringLiteral("PASS: lowest-efficiency"),
                                                   QStringLiteral("Result: PASS")};
    QTest::addRow("build-lenient") << "build.oci"
                                   << QStringList{QStringLiteral("--lowest-efficiency"),
                                                  QStringLiteral("0.6"),
                                                  QStringLiteral("--highest-user-wasted-percent=disabled")}
                                   << 0
                                   << QStringList{QStringLiteral("PASS: lowest-efficiency"),
                                                  QStringLiteral("Result: PASS")};
    QTest::addRow("wasted-bytes-over")
        << "build.oci"
        << QStringList{QStringLiteral("--lowest-efficiency=disabled"),
                       QStringLiteral("--highest-user-wasted-percent=disabled"),
                       QStringLiteral("--highest-wasted-bytes"), QStringLiteral("1MB")}
        << 1
        << QStringList{QStringLiteral("FAIL: highest-wasted-bytes (threshold 1MB): too "
                                      "many bytes wasted (wasted-bytes=1114120 > "
                                      "threshold=1000000)")};
    QTest::addRow("wasted-bytes-under")
        << "build.oci"
        << QStringList{QStringLiteral("--lowest-efficiency=disabled"),
                       QStringLiteral("--highest-user-wasted-percent=disabled"),
                       QStringLiteral("--highest-wasted-bytes=1.2MB")}
        << 0 << QStringList{QStringLiteral("PASS: highest-wasted-bytes")};
    QTest::addRow("wasted-raw-bytes") << "build.oci"
                                      << QStringList{QStringLiteral("--lowest-efficiency=disabled"),
                                                     QStringLiteral("--highest-user-wasted-percent=disabled"),
                                                     QStringLiteral("--highest-wasted-bytes=1114120")}
                                      << 0 << QStringList{QStringLiteral("PASS: highest-wasted-bytes")};
    QTest::addRow("wasted-mib") << "build.oci"
                                << QStringList{QStringLiteral("--lowest-efficiency=disabled"),
                                               QStringLiteral("--highest-user-wasted-percent=disabled"),
                                               QStringLiteral("--highest-wasted-bytes=1MiB")}
                                << 1 << QStringList{QStringLiteral("FAIL: highest-wasted-bytes")};
}

void TestCliInspect::ci()
{
    QFETCH(QString, image);
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QStringList, lines);

    QStringList args{QStringLiteral("--ci")};
    args += options;
    args << imagePath(image);
    const Run r = run(args);
    QCOMPARE(r.exitCode, exitCode);
    for (const QString &line : lines)
        QVERIFY2(r.out.contains(line), qPrintable(r.out));

    // The same verdict in JSON.
    args.prepend(QStringLiteral("--json"));
    const Run j = run(args);
    QCOMPARE(j.exitCode, exitCode);
    const QJsonObject ci =
        QJsonDocument::fromJson(j.out.toUtf8()).object().value(QStringLiteral("ci")).toObject();
    QCOMPARE(ci.value(QStringLiteral("pass")).toBool(), exitCode == 0);
    QCOMPARE(ci.value(QStringLiteral("rules")).toArray().size(), 3);
}

void TestCliInspect::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString build = imagePath(QStringLiteral("build.oci"));
    QTest::addRow("no-image") << QStringList{} << 2 << "give one image";
    QTest::addRow("two-images") << QStringList{build, build} << 2 << "give one image";
    QTest::addRow("bad-size") << QStringList{QStringLiteral("--ci"),
                                             QStringLiteral("--highest-wasted-bytes=lots"), build}
                              << 2 << "not a size";
    QTest::addRow("bad-fraction") << QStringList{QStringLiteral("--ci"),
                                                 QStringLiteral("--lowest-efficiency=high"), build}
                                  << 2 << "takes a number";
    QTest::addRow("threshold-without-ci")
        << QStringList{QStringLiteral("--lowest-efficiency=0.5"), build} << 2 << "add --ci";
    QTest::addRow("bad-model") << QStringList{QStringLiteral("--waste-model=other"), build} << 2
                               << "per-file or dive";
    QTest::addRow("unknown-option") << QStringList{QStringLiteral("--bogus"), build} << 2 << "unknown option";
    QTest::addRow("missing-reference") << QStringList{QStringLiteral("nosuch:image")} << 1 << "nosuch";
    QTest::addRow("not-an-archive") << QStringList{imagePath(QStringLiteral("README.md"))} << 1
                                    << "neither a docker-archive";
    QTest::addRow("unknown-name-in-layout")
        << QStringList{build + QStringLiteral(":nosuch")} << 1 << "nosuch";
}

void TestCliInspect::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Run r = run(args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.err.startsWith(QStringLiteral("stagecraft inspect: ")));
}

void TestCliInspect::controlCharactersEscaped_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("keepLineBreaks");
    QTest::addColumn<QString>("escaped");
    QTest::addRow("plain") << QStringLiteral("RUN apk add curl") << false
                           << QStringLiteral("RUN apk add curl");
    QTest::addRow("esc") << QStringLiteral("a\x1b[31mb") << false << QStringLiteral("a\\u001b[31mb");
    QTest::addRow("bel-nul") << QStringLiteral("x\x07y") + QChar(0) << false
                             << QStringLiteral("x\\u0007y\\u0000");
    QTest::addRow("del") << QStringLiteral("a\x7f") << false << QStringLiteral("a\\u007f");
    QTest::addRow("c1-csi") << QStringLiteral("a\u009b2J") << false << QStringLiteral("a\\u009b2J");
    QTest::addRow("c1-edges") << QStringLiteral("\u0080\u009f\u00a0") << false
                              << QStringLiteral("\\u0080\\u009f\u00a0");
    QTest::addRow("newline-field") << QStringLiteral("a\nb\tc\rd") << false
                                   << QStringLiteral("a\\u000ab\\u0009c\\u000dd");
    QTest::addRow("newline-kept") << QStringLiteral("a\nb\tc\rd") << true
                                  << QStringLiteral("a\nb\tc\\u000dd");
    QTest::addRow("unicode-kept") << QStringLiteral("caf\u00e9 \u2192 \U0001F600") << false
                                  << QStringLiteral("caf\u00e9 \u2192 \U0001F600");
}

void TestCliInspect::controlCharactersEscaped()
{
    QFETCH(QString, text);
    QFETCH(bool, keepLineBreaks);
    QFETCH(QString, escaped);
    QCOMPARE(stagecraft::escapeControlCharacters(text, keepLineBreaks ? stagecraft::LineBreaks::Keep
                                                                      : stagecraft::LineBreaks::Escape),
             escaped);
}

void TestCliInspect::hostileImageText()
{
    QTemporaryDir dir;
    const QString archive = writeHostileArchive(dir.path());
    QVERIFY(!archive.isEmpty());
    const Run r = run({archive, QStringLiteral("--files"), QStringLiteral("--layers")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(!hasTerminalControls(r.out), qPrintable(r.out));
    QVERIFY2(!hasTerminalControls(r.err), qPrintable(r.err));
    QVERIFY2(r.out.contains(
                 QStringLiteral("echo \\u001b[2J\\u001b]0;owned\\u0007 done\\u000dRUN true \\u009b31m")),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("evil\\u001b[31mname")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("new\\u000aline")), qPrintable(r.out));
}

void TestCliInspect::hostileImageJson()
{
    QTemporaryDir dir;
    const QString archive = writeHostileArchive(dir.path());
    QVERIFY(!archive.isEmpty());
    const Run r = run({archive, QStringLiteral("--files"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(!hasTerminalControls(r.out), qPrintable(r.out));
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    // The JSON still carries the image's text exactly, escaped by JSON's own rules.
    const QJsonObject layer = json.value(QLatin1String("layers")).toArray().first().toObject();
    QCOMPARE(layer.value(QLatin1String("createdBy")).toString(), HostileCreatedBy);
    QCOMPARE(layer.value(QLatin1String("comment")).toString(), HostileComment);
    QStringList paths;
    for (const QJsonValue &v :
         layer.value(QLatin1String("files")).toObject().value(QLatin1String("added")).toArray())
        paths << v.toObject().value(QLatin1String("path")).toString();
    QVERIFY2(paths.contains(QStringLiteral("/new\nline")), qPrintable(paths.join(u',')));
}

QTEST_GUILESS_MAIN(TestCliInspect)
#include "tst_cli_inspect.moc"
