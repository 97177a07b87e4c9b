// `stagecraft why IMAGE PATH`: the layers that wrote a path of Docker's reference images,
// and, with the build record, the chain of COPY --from through three stages back to the
// step that copied the file from the context.
#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace stagecraft::test;
using namespace Qt::StringLiterals;

class TestCliWhy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void layersOfReferenceImage();
    void removedAndMissingPaths();
    void chainThroughStages();

private:
    static QString imagesDir()
    {
        return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + u"/tests/data/images"_s;
    }
    QJsonObject whyJson(const QStringList &args);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
};

void TestCliWhy::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = m_dir->filePath(u"store"_s);
}

QJsonObject TestCliWhy::whyJson(const QStringList &args)
{
    const CliResult r = runStagecraft(m_store, QStringList{u"why"_s, u"--json"_s} + args);
    if (r.status != 0)
        qWarning("why failed: %s", r.err.constData());
    return QJsonDocument::fromJson(r.out).object();
}

void TestCliWhy::layersOfReferenceImage()
{
    // /out/app: written by one RUN, rewritten by the next (Docker's build.docker.tar).
    const QString image = imagesDir() + u"/build.docker.tar"_s;
    const QJsonObject o = whyJson({image, u"/out/app"_s});
    QCOMPARE(o[u"path"_s].toString(), u"/out/app"_s);
    QVERIFY(o[u"present"_s].toBool());
    QCOMPARE(o[u"size"_s].toInteger(), 3); // "v2\n"
    QVERIFY2(o[u"createdBy"_s].toString().contains(u"echo v2 > /out/app"_s),
             qPrintable(o[u"createdBy"_s].toString()));
    const QJsonArray versions = o[u"versions"_s].toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions[0].toObject()[u"change"_s].toString(), u"added"_s);
    QVERIFY(versions[0].toObject()[u"createdBy"_s].toString().contains(u"echo v1 > /out/app"_s));
    QCOMPARE(versions[1].toObject()[u"change"_s].toString(), u"modified"_s);
    QCOMPARE(versions[1].toObject()[u"layer"_s].toInt(), o[u"layer"_s].toInt());

    // The text form names the layer, its created_by and both versions.
    const CliResult text = runStagecraft(m_store, {u"why"_s, image, u"out/app"_s});
    QCOMPARE(text.status, 0);
    const QString out = QString::fromUtf8(text.out);
    QVERIFY2(out.startsWith(u"/out/app: file, 3 B, written by layer %1"_s.arg(o[u"layer"_s].toInt())),
             qPrintable(out));
    QVERIFY(out.contains(u"added"_s) && out.contains(u"modified"_s));
}

void TestCliWhy::removedAndMissingPaths()
{
    const QString image = imagesDir() + u"/build.docker.tar"_s;
    // Written, then removed by a later RUN: no kept layer, both versions listed.
    const QJsonObject blob = whyJson({image, u"/out/blob.bin"_s});
    QVERIFY(!blob[u"present"_s].toBool());
    QVERIFY(blob[u"layer"_s].isNull());
    const QJsonArray versions = blob[u"versions"_s].toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions[0].toObject()[u"size"_s].toInteger(), 1048576);
    QCOMPARE(versions[1].toObject()[u"change"_s].toString(), u"removed"_s);
    // Removed with its directory (rm -rf /cache && mkdir /cache).
    const QJsonArray cache = whyJson({image, u"/cache/a"_s})[u"versions"_s].toArray();
    QCOMPARE(cache.size(), 2);
    QCOMPARE(cache[1].toObject()[u"change"_s].toString(), u"removed"_s);
    // A path no layer holds is an error naming the nearest directory.
    const CliResult missing = runStagecraft(m_store, {u"why"_s, image, u"/out/nothing/here"_s});
    QCOMPARE(missing.status, 1);
    QVERIFY2(missing.err.contains("nearest directory that exists is /out"), missing.err.constData());
    QCOMPARE(runStagecraft(m_store, {u"why"_s, image}).status, 2);
}

void TestCliWhy::chainThroughStages()
{
    const CliResult imported = runStagecraft(
        m_store, {u"import"_s, u"-t"_s, u"busybox:fixture"_s, imagesDir() + u"/base.docker.tar"_s});
    QVERIFY2(imported.status == 0, imported.err.constData());
    const QString context = m_dir->filePath(u"project"_s);
    QVERIFY(QDir().mkpath(context));
    const QByteArray dockerfile = "FROM busybox:fixture AS build\n"
                                  "WORKDIR /src\n"
                                  "COPY app.txt ./\n"
                                  "FROM scratch AS Mid\n"
                                  "COPY --from=build /src/app.txt /opt/app.txt\n"
                                  "FROM scratch\n"
                                  "COPY --from=1 /opt /usr/share/\n";
    for (const auto &[name, content] :
         {std::pair{u"Dockerfile"_s, dockerfile}, std::pair{u"app.txt"_s, QByteArray("hello\n")}}) {
        QFile f(context + u'/' + name);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    const QString record = m_dir->filePath(u"build.record"_s);
    const CliResult built =
        runStagecraft(m_store, {u"build"_s, u"-t"_s, u"why:test"_s, u"--record"_s, record, context});
    QVERIFY2(built.status == 0, built.err.constData());

    const QJsonObject o = whyJson({u"why:test"_s, u"/usr/share/app.txt"_s, u"--record"_s, record});
    QVERIFY(!o.contains(u"chainProblem"_s));
    const QJsonArray chain = o[u"chain"_s].toArray();
    QStringList links;
    for (const QJsonValue &v : chain) {
        const QJsonObject l = v.toObject();
        links << u"%1 %2 line %3 %4"_s.arg(l[u"stage"_s].toString())
                     .arg(l[u"step"_s].toInt())
                     .arg(l[u"line"_s].toInt())
                     .arg(l[u"path"_s].toString());
    }
    QCOMPARE(links, (QStringList{u"2 1 line 7 /usr/share/app.txt"_s, u"mid 1 line 5 /opt/app.txt"_s,
                                 u"build 2 line 3 /src/app.txt"_s}));
    const CliResult text =
        runStagecraft(m_store, {u"why"_s, u"why:test"_s, u"/usr/share/app.txt"_s, u"--record"_s, record});
    QCOMPARE(text.status, 0);
    QVERIFY2(text.out.contains("line 3  [build step 2] COPY app.txt ./"), text.out.constData());

    // A record of another build says so instead of inventing a chain.
    const CliResult other =
        runStagecraft(m_store, {u"why"_s, u"--json"_s, imagesDir() + u"/final.docker.tar"_s, u"/app"_s,
                                u"--record"_s, record});
    QCOMPARE(other.status, 0);
    QVERIFY(QJsonDocument::fromJson(other.out).object()[u"chainProblem"_s].toString().contains(
        u"another build"_s));
}

QTEST_GUILESS_MAIN(TestCliWhy)
#include "tst_cli_why.moc"
