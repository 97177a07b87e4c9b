// `stagecraft packages IMAGE`: text and JSON on a two-layer dpkg image made in the test,
// sorting, --top, and usage errors.
#include "clirun.h"
#include "synthimage.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft::test;
using fixtures::TarEntry;
using namespace Qt::StringLiterals;

class TestCliPackages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void text();
    void json();
    void usage();
    void dockerfileLineFromRecord();

private:
    QTemporaryDir m_dir;
    QString m_layout;
    QString m_store;
};

void TestCliPackages::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_store = m_dir.filePath(u"store"_s);
    const QByteArray status = "Package: base-files\nStatus: install ok installed\nVersion: 12\n\n"
                              "Package: golang-1.19-go\nStatus: install ok installed\nVersion: 1.19.8-2\n";
    m_layout = fixtures::writeOciImage(
        m_dir.filePath(u"image"_s),
        {{{u"etc/os-release"_s, 'f', QByteArray(300, 'o')},
          {u"var/lib/dpkg/info/base-files.list"_s, 'f', "/etc\n/etc/os-release\n"}},
         {{u"usr/lib/go-1.19/bin/go"_s, 'f', QByteArray(5000, 'g')},
          {u"var/lib/dpkg/status"_s, 'f', status},
          {u"var/lib/dpkg/info/golang-1.19-go.list"_s, 'f', "/usr/lib/go-1.19\n/usr/lib/go-1.19/bin/go\n"}}});
    QVERIFY(!m_layout.isEmpty());
}

void TestCliPackages::text()
{
    const CliResult r = runStagecraft(m_store, {u"packages"_s, m_layout});
    QVERIFY2(r.status == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    const QStringList lines = out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 3, qPrintable(out));
    QVERIFY2(lines[0].contains(u"2 packages own 5.3 kB of 5.5 kB (195 B in no package)"), qPrintable(out));
    QVERIFY2(
        lines[1].contains(QRegularExpression(u"^  golang-1.19-go\\s+5.0 kB\\s+layer 1 .*dpkg 1.19.8-2$"_s)),
        qPrintable(out));
    QVERIFY2(lines[2].contains(QRegularExpression(u"^  base-files\\s+300 B\\s+layer 0 .*dpkg 12$"_s)),
             qPrintable(out));

    const CliResult byName =
        runStagecraft(m_store, {u"packages"_s, u"--sort"_s, u"name"_s, u"--top"_s, u"1"_s, m_layout});
    QCOMPARE(byName.status, 0);
    const QStringList named = QString::fromUtf8(byName.out).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(named.size(), 3);
    QVERIFY(named[1].trimmed().startsWith(u"base-files"));
    QCOMPARE(named[2], u"  … and 1 more"_s);
}

void TestCliPackages::json()
{
    const CliResult r = runStagecraft(m_store, {u"packages"_s, u"--json"_s, m_layout});
    QVERIFY2(r.status == 0, r.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json.value(u"packageBytes").toInteger(), 5300);
    const QJsonArray packages = json.value(u"packages").toArray();
    QCOMPARE(packages.size(), 2);
    const QJsonObject go = packages.first().toObject();
    QCOMPARE(go.value(u"name").toString(), u"golang-1.19-go"_s);
    QCOMPARE(go.value(u"manager").toString(), u"dpkg"_s);
    QCOMPARE(go.value(u"bytes").toInteger(), 5000);
    QCOMPARE(go.value(u"layer").toInt(), 1);
    QCOMPARE(go.value(u"database").toString(), u"/var/lib/dpkg/info/golang-1.19-go.list"_s);
}

void TestCliPackages::usage()
{
    QCOMPARE(runStagecraft(m_store, {u"packages"_s, u"--sort"_s, u"colour"_s, m_layout}).status, 2);
    QCOMPARE(runStagecraft(m_store, {u"packages"_s}).status, 2);
    const CliResult missing = runStagecraft(m_store, {u"packages"_s, m_dir.filePath(u"nothing"_s)});
    QCOMPARE(missing.status, 1);
    const CliResult help = runStagecraftArgs({u"packages"_s, u"--help"_s});
    QCOMPARE(help.status, 0);
    QVERIFY(help.out.startsWith("Usage: stagecraft packages"));
}

void TestCliPackages::dockerfileLineFromRecord()
{
    const CliResult imported = runStagecraft(
        m_store, {u"import"_s, u"-t"_s, u"busybox:fixture"_s,
                  qEnvironmentVariable("STAGECRAFT_SOURCE_DIR") + u"/tests/data/images/base.docker.tar"_s});
    QVERIFY2(imported.status == 0, imported.err.constData());
    const QString context = m_dir.filePath(u"project"_s);
    QVERIFY(QDir().mkpath(context + u"/dpkg/info"_s));
    const QList<std::pair<QString, QByteArray>> files{
        {u"Dockerfile"_s, "FROM busybox:fixture\n"
                          "COPY dpkg/ /var/lib/dpkg/\n"
                          "COPY tool /usr/bin/tool\n"},
        {u"dpkg/status"_s, "Package: tool\nStatus: install ok installed\nVersion: 3\n"},
        {u"dpkg/info/tool.list"_s, "/usr/bin/tool\n"},
        {u"tool"_s, QByteArray(4000, 't')}};
    for (const auto &[name, content] : files) {
        QFile f(context + u'/' + name);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    const QString record = m_dir.filePath(u"build.record"_s);
    const CliResult built =
        runStagecraft(m_store, {u"build"_s, u"-t"_s, u"packages:test"_s, u"--record"_s, record, context});
    QVERIFY2(built.status == 0, built.err.constData());

    // The package's bytes came with the second COPY (layer 2, line 3), not with its database.
    const CliResult r =
        runStagecraft(m_store, {u"packages"_s, u"--json"_s, u"--record"_s, record, u"packages:test"_s});
    QVERIFY2(r.status == 0, r.err.constData());
    const QJsonObject tool =
        QJsonDocument::fromJson(r.out).object().value(u"packages").toArray().first().toObject();
    QCOMPARE(tool.value(u"name").toString(), u"tool"_s);
    QCOMPARE(tool.value(u"bytes").toInteger(), 4000);
    QCOMPARE(tool.value(u"layer").toInt(), 2);
    QCOMPARE(tool.value(u"line").toInt(), 3);
    const CliResult text = runStagecraft(m_store, {u"packages"_s, u"--record"_s, record, u"packages:test"_s});
    QVERIFY2(QString::fromUtf8(text.out).contains(
                 QRegularExpression(u"\\n  tool\\s+4.0 kB  layer 2\\s+line 3  dpkg 3\\n"_s)),
             text.out.constData());
    QVERIFY2(text.out.startsWith("packages:test: 1 package owns 4.0 kB of"), text.out.constData());
}

QTEST_GUILESS_MAIN(TestCliPackages)
#include "tst_cli_packages.moc"
