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
    Run run(const QStringList &args, const QString &command = QStringLiteral("inspect"))
    {
        QProcess p;
        p.setProgram(QStringLiteral(STAGECRAFT_BIN));
        QStringList all{command, QStringLiteral("--store"), m_store->path()};
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
    void layerStep();
    void ci_data();
    void ci();
    void errors_data();
    void errors();
    void controlCharactersEscaped_data();
    void controlCharactersEscaped();
    void hostileImageText();
    void hostileImageJson();
    void diffBaseToBuild();
    void diffBuildToFinal();
    void diffText();
    void diffBudget_data();
    void diffBudget();
    void diffBudgetWording();
    void diffErrors_data();
    void diffErrors();
    void diffHostileImage();
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
    // The copy of /out/app the image keeps is not reclaimable; the rest of the waste is.
    QCOMPARE(o.value(QStringLiteral("reclaimableBytes")).toInteger(), 1048576 + 3 + 65536 + 2);
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

void TestCliInspect::layerStep()
{
    // Stepping to the RUN that wrote /out, then to the one that removed the blob.
    const QString image = imagePath(QStringLiteral("build.docker.tar"));
    const Run added = run({QStringLiteral("--layer"), QStringLiteral("4"), image});
    QCOMPARE(added.exitCode, 0);
    QVERIFY2(added.out.startsWith(QStringLiteral("layer 4 added 1.0 MB: /out (1.0 MB)\n")),
             qPrintable(added.out));
    QVERIFY(added.out.contains(QStringLiteral("  +    1.0 MB  /out/blob.bin\n")));
    QVERIFY(added.out.contains(QStringLiteral("  +       3 B  /out/app\n")));
    const Run json = run({QStringLiteral("--layer"), QStringLiteral("5"), QStringLiteral("--json"), image});
    QCOMPARE(json.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("sizeDelta")).toInteger(), -1048576);
    QCOMPARE(o.value(QStringLiteral("removed")).toObject().value(QStringLiteral("bytes")).toInteger(),
             1048576);
    QCOMPARE(o.value(QStringLiteral("modified")).toObject().value(QStringLiteral("files")).toInt(), 1);
    QVERIFY(o.value(QStringLiteral("createdBy")).toString().contains(QStringLiteral("rm /out/blob.bin")));
    QCOMPARE(run({QStringLiteral("--layer"), QStringLiteral("8"), image}).exitCode, 2);
}

void TestCliInspect::text()
{
    const Run r = run({QStringLiteral("--files"), QStringLiteral("--layers"),
                       imagePath(QStringLiteral("build.docker.tar"))});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("Total size:   3.1 MB (3096536 bytes) in 8 layers")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("Wasted:       1.1 MB (1114120 bytes)")));
    QVERIFY(r.out.contains(QStringLiteral("Reclaimable:  1.1 MB (1114117 bytes)")));
    QVERIFY(r.out.contains(QStringLiteral("Efficiency:   64.02 %")));
    QVERIFY(r.out.contains(QStringLiteral("    2     1.0 MB       1.0 MB  /out/blob.bin")));
    QVERIFY(r.out.contains(QStringLiteral("    2        6 B          3 B  /out/app")));
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

namespace {

// Docker's own figures for an image: the sizes `docker history` printed, oldest first.
QList<qint64> historySizes(const QString &name)
{
    QFile f(imagePath(name + QStringLiteral(".history.jsonl")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<qint64> sizes;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            sizes.prepend(
                QJsonDocument::fromJson(line).object().value(QLatin1String("Size")).toString().toLongLong());
    return sizes;
}

qint64 inspectSize(const QString &name)
{
    QFile f(imagePath(name + QStringLiteral(".inspect.json")));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    const QJsonObject o = doc.isArray() ? doc.array().first().toObject() : doc.object();
    return o.value(QLatin1String("Size")).toInteger(-1);
}

QJsonObject entryFor(const QJsonArray &list, const QString &path)
{
    for (const QJsonValue &v : list)
        if (v.toObject().value(QLatin1String("path")).toString() == path)
            return v.toObject();
    return {};
}

} // namespace

// The build stage against the base it started from: one shared layer, growth as Docker
// counts it, each added path with the layer of the build that wrote it last.
void TestCliInspect::diffBaseToBuild()
{
    const Run r = run({QStringLiteral("--json"), imagePath(QStringLiteral("base.docker.tar")),
                       imagePath(QStringLiteral("build.oci"))},
                      QStringLiteral("diff"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    const QList<qint64> history = historySizes(QStringLiteral("build"));
    QVERIFY(history.size() > 2);
    QCOMPARE(o.value(QLatin1String("a")).toObject().value(QLatin1String("totalSize")).toInteger(),
             history.first());
    QCOMPARE(o.value(QLatin1String("b")).toObject().value(QLatin1String("totalSize")).toInteger(),
             inspectSize(QStringLiteral("build")));
    QCOMPARE(o.value(QLatin1String("growth")).toInteger(),
             inspectSize(QStringLiteral("build")) - history.first());
    QCOMPARE(o.value(QLatin1String("sharedLayers")).toInt(), 1);

    const QJsonArray added = o.value(QLatin1String("added")).toArray();
    const QJsonObject app = entryFor(added, QStringLiteral("/out"));
    QCOMPARE(app.value(QLatin1String("type")).toString(), QStringLiteral("dir"));
    QCOMPARE(app.value(QLatin1String("bSize")).toInteger(), 3); // "v2\n"; blob.bin was removed
    QVERIFY(app.value(QLatin1String("aSize")).isNull());
    const QJsonObject hello = entryFor(added, QStringLiteral("/src"));
    QCOMPARE(hello.value(QLatin1String("bSize")).toInteger(), 23);
    QCOMPARE(hello.value(QLatin1String("bLayer")).toInt(), 3); // COPY hello.txt: the last to write /src
    const QJsonObject cache = entryFor(added, QStringLiteral("/cache"));
    QCOMPARE(cache.value(QLatin1String("bSize")).toInteger(), 2);
    QCOMPARE(cache.value(QLatin1String("bLayer")).toInt(), 7); // the opaque `rm -rf /cache && mkdir`
    QVERIFY(o.value(QLatin1String("removed")).toArray().isEmpty());
    // Directories: /out and /src appear, with nothing on A's side.
    const QJsonObject outDir =
        entryFor(o.value(QLatin1String("directories")).toArray(), QStringLiteral("/out"));
    QVERIFY(outDir.value(QLatin1String("aSize")).isNull());
    QCOMPARE(outDir.value(QLatin1String("delta")).toInteger(), 3);
}

// The final scratch image against the build stage: everything but the two copied files
// is gone, and the result shrank by Docker's own difference.
void TestCliInspect::diffBuildToFinal()
{
    const Run r = run({QStringLiteral("--json"), imagePath(QStringLiteral("build.docker.tar")),
                       imagePath(QStringLiteral("final.docker.tar"))},
                      QStringLiteral("diff"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QLatin1String("growth")).toInteger(),
             inspectSize(QStringLiteral("final")) - inspectSize(QStringLiteral("build")));
    QVERIFY(o.value(QLatin1String("growthPercent")).toDouble() < 0);
    QCOMPARE(o.value(QLatin1String("sharedLayers")).toInt(), 0);
    const QJsonObject app = entryFor(o.value(QLatin1String("added")).toArray(), QStringLiteral("/app"));
    QCOMPARE(app.value(QLatin1String("bSize")).toInteger(), 3);
    QCOMPARE(app.value(QLatin1String("bLayer")).toInt(), 0);
    const QJsonObject etc = entryFor(o.value(QLatin1String("removed")).toArray(), QStringLiteral("/etc"));
    QCOMPARE(etc.value(QLatin1String("aSize")).toInteger(), 30);
    QVERIFY(etc.value(QLatin1String("bSize")).isNull());
    QCOMPARE(etc.value(QLatin1String("delta")).toInteger(), -30);
    // /bin/busybox is in both, written by other layers, but the same file: not changed.
    QVERIFY(entryFor(o.value(QLatin1String("changed")).toArray(), QStringLiteral("/bin/busybox")).isEmpty());
    // The same image against itself: nothing differs.
    const Run same = run({QStringLiteral("--json"), imagePath(QStringLiteral("final.oci")),
                          imagePath(QStringLiteral("final.docker.tar"))},
                         QStringLiteral("diff"));
    QVERIFY2(same.exitCode == 0, qPrintable(same.err));
    const QJsonObject s = QJsonDocument::fromJson(same.out.toUtf8()).object();
    QCOMPARE(s.value(QLatin1String("growth")).toInteger(), 0);
    for (const char *list : {"added", "removed", "changed", "directories"})
        QVERIFY2(s.value(QLatin1String(list)).toArray().isEmpty(), list);
}

void TestCliInspect::diffText()
{
    const Run r =
        run({QStringLiteral("--limit"), QStringLiteral("3"), imagePath(QStringLiteral("base.docker.tar")),
             imagePath(QStringLiteral("build.docker.tar"))},
            QStringLiteral("diff"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const qint64 growth =
        inspectSize(QStringLiteral("build")) - historySizes(QStringLiteral("build")).first();
    QVERIFY2(r.out.contains(QStringLiteral("Growth: +1.1 MB (%1 bytes").arg(growth)), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("Added in B (")), qPrintable(r.out));
    // The final filesystem grows by the three small files; the megabyte is in layers whose
    // files later steps removed.
    QVERIFY2(r.out.contains(QStringLiteral("Files:  +28 B in the final filesystem")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("Removed from A (0 paths, 0 B):\n  (none)")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("more (--limit 0 lists all)")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("(B layer 7: RUN /bin/sh -c rm -rf /cache")), qPrintable(r.out));
}

void TestCliInspect::diffBudgetWording()
{
    // The build stage (3,096,536 bytes) against the final image (1,982,259): B shrank by
    // 1,114,277 bytes, 36.0 %.
    const QString final = imagePath(QStringLiteral("final.docker.tar"));
    const QString build = imagePath(QStringLiteral("build.docker.tar"));
    const Run shrank = run(QStringList{QStringLiteral("--ci"), QStringLiteral("--max-growth"),
                                       QStringLiteral("5%"), build, final},
                           QStringLiteral("diff"));
    QCOMPARE(shrank.exitCode, 0);
    QVERIFY2(shrank.out.contains(QStringLiteral("PASS max-growth: B shrank by 1.1 MB (-36.0 %)")),
             qPrintable(shrank.out));

    // The other way round it grew, and the verdict names B's largest layers; the base layer
    // that `docker import` made has no instruction, so it is named by its size alone.
    const Run grew = run(QStringList{QStringLiteral("--ci"), QStringLiteral("--max-growth"),
                                     QStringLiteral("5%"), final, build},
                         QStringLiteral("diff"));
    QCOMPARE(grew.exitCode, 1);
    QVERIFY2(grew.out.contains(QStringLiteral("FAIL max-growth: B grew by +1.1 MB (+56.2 %)")),
             qPrintable(grew.out));
    QVERIFY2(grew.out.contains(
                 QStringLiteral("largest layers of B not in A: layer 0 (2.0 MB), layer 4 (1.0 MB: RUN")),
             qPrintable(grew.out));
}

void TestCliInspect::diffBudget_data()
{
    QTest::addColumn<QString>("budget");
    QTest::addColumn<int>("status");
    // The build stage adds 1,114,145 bytes to a 1,982,391-byte base: 56.2 %.
    QTest::addRow("percent-over") << "50%" << 1;
    QTest::addRow("percent-under") << "60%" << 0;
    QTest::addRow("bytes-over") << "1MB" << 1;
    QTest::addRow("bytes-under") << "1.2MB" << 0;
    QTest::addRow("exact") << "1114145" << 0;
    QTest::addRow("one-short") << "1114144" << 1;
}

void TestCliInspect::diffBudget()
{
    QFETCH(QString, budget);
    QFETCH(int, status);
    const QStringList images{imagePath(QStringLiteral("base.docker.tar")),
                             imagePath(QStringLiteral("build.oci"))};
    const Run text = run(QStringList{QStringLiteral("--ci"), QStringLiteral("--max-growth"), budget} + images,
                         QStringLiteral("diff"));
    QCOMPARE(text.exitCode, status);
    const Run json = run(QStringList{QStringLiteral("--ci"), QStringLiteral("--max-growth"), budget,
                                     QStringLiteral("--json")} +
                             images,
                         QStringLiteral("diff"));
    QCOMPARE(json.exitCode, status);
    const QJsonObject ci =
        QJsonDocument::fromJson(json.out.toUtf8()).object().value(QLatin1String("ci")).toObject();
    QCOMPARE(ci.value(QLatin1String("pass")).toBool(), status == 0);
    if (status == 0) {
        QVERIFY2(text.out.contains(QStringLiteral("PASS max-growth")), qPrintable(text.out));
        return;
    }
    QVERIFY2(text.out.contains(QStringLiteral("FAIL max-growth: B grew by +1.1 MB (+56.2 %)")),
             qPrintable(text.out));
    // The verdict names what grew most: the first of the JSON's list.
    const QJsonArray grown = ci.value(QLatin1String("largestGrowth")).toArray();
    QVERIFY(!grown.isEmpty());
    QVERIFY2(text.out.contains(QStringLiteral("grew most: ") +
                               grown.first().toObject().value(QLatin1String("path")).toString()),
             qPrintable(text.out));
    // Most of the growth is the 1 MB blob a later RUN removed: its layer is named first.
    QCOMPARE(ci.value(QLatin1String("largestLayers")).toArray().first().toInt(), 4);
    QVERIFY2(text.out.contains(
                 QStringLiteral("largest layers of B not in A: layer 4 (1.0 MB: RUN /bin/sh -c mkdir")),
             qPrintable(text.out));
}

void TestCliInspect::diffErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("status");
    const QString base = imagePath(QStringLiteral("base.docker.tar"));
    QTest::addRow("one-image") << QStringList{base} << 2;
    QTest::addRow("three-images") << QStringList{base, base, base} << 2;
    QTest::addRow("budget-without-ci")
        << QStringList{QStringLiteral("--max-growth"), QStringLiteral("5%"), base, base} << 2;
    QTest::addRow("ci-without-budget") << QStringList{QStringLiteral("--ci"), base, base} << 2;
    QTest::addRow("bad-budget") << QStringList{QStringLiteral("--ci"), QStringLiteral("--max-growth"),
                                               QStringLiteral("lots"), base, base}
                                << 2;
    QTest::addRow("negative-percent") << QStringList{QStringLiteral("--ci"), QStringLiteral("--max-growth"),
                                                     QStringLiteral("-5%"), base, base}
                                      << 2;
    QTest::addRow("bad-limit") << QStringList{QStringLiteral("--limit"), QStringLiteral("x"), base, base}
                               << 2;
    QTest::addRow("missing-image") << QStringList{base, QStringLiteral("/nonexistent/image.tar")} << 1;
    QTest::addRow("unknown-reference") << QStringList{QStringLiteral("nothing:here"), base} << 1;
}

void TestCliInspect::diffErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, status);
    const Run r = run(args, QStringLiteral("diff"));
    QCOMPARE(r.exitCode, status);
    QVERIFY2(r.err.startsWith(QStringLiteral("stagecraft diff: ")), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void TestCliInspect::diffHostileImage()
{
    QTemporaryDir dir;
    const QString archive = writeHostileArchive(dir.path());
    QVERIFY(!archive.isEmpty());
    const Run r = run({imagePath(QStringLiteral("final.docker.tar")), archive}, QStringLiteral("diff"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(!hasTerminalControls(r.out), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("evil\\u001b[31mname")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("new\\u000aline")), qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestCliInspect)
#include "tst_cli_inspect.moc"
