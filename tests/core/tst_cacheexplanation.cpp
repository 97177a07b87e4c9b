// Cache explanations: each row builds a Dockerfile, changes one input and builds again,
// then compares the reason every step that ran gives; the record a step leaves is read
// back as written and refused when it is not.

#include "core/builder/builder.h"
#include "core/builder/cacheexplanation.h"
#include "core/exec/sandbox.h"

#include "buildfixture.h"

#include <QDir>
#include <QFile>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace stagecraft;
using fixtures::writeText;

using Reasons = QMap<QString, QString>; // instruction → reason (steps that ran)

namespace {

const char *const kDockerfile = "FROM busybox:fixture AS build\n"
                                "ARG VERSION=1\n"
                                "RUN echo $VERSION > /version\n"
                                "COPY *.go /src/\n"
                                "RUN cat /src/main.go > /out\n"
                                "FROM scratch\n"
                                "COPY --from=build /out /out\n";

StepCacheRecord sampleRecord()
{
    StepCacheRecord r;
    r.key = QStringLiteral("k1");
    r.parentKey = QStringLiteral("p1");
    r.instruction = QStringLiteral("COPY *.go /src/");
    r.expanded = QStringLiteral("COPY *.go /src/");
    r.args = {{QStringLiteral("VERSION"), QStringLiteral("1")}};
    r.stages = {{QStringLiteral("build"), QStringLiteral("s1")}};
    r.files = {{QStringLiteral("main.go"), QStringLiteral("file 644 aa")},
               {QStringLiteral("util.go"), QStringLiteral("file 644 bb")}};
    r.fileCount = 2;
    r.filesDigest = QStringLiteral("d1");
    r.otherInputs = QStringLiteral("o1");
    r.config = QStringLiteral("c1");
    return r;
}

} // namespace

class TestCacheExplanation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void rebuildReasons_data();
    void rebuildReasons();
    void firstBuildAndCachedBuild();
    void recordRoundTrip();
    void hostileRecords_data();
    void hostileRecords();
    void recordFiles();
    void explainBounds();

private:
    bool canBuild(QString *reason) const;
    Reasons build(const QHash<QString, QString> &args = {}, bool noCache = false);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
    QString m_context;
};

void TestCacheExplanation::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = ImageStore::open(m_dir->filePath(QStringLiteral("store")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = *store;
    auto imported = m_store->import(fixtures::imagesDataDir() + QStringLiteral("/base.docker.tar"),
                                    QStringLiteral("busybox:fixture"));
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    m_context = m_dir->filePath(QStringLiteral("project"));
    QVERIFY(writeText(m_context + QStringLiteral("/Dockerfile"), kDockerfile));
    QVERIFY(writeText(m_context + QStringLiteral("/main.go"), "package main\n"));
    QVERIFY(writeText(m_context + QStringLiteral("/util.go"), "package main // util\n"));
}

bool TestCacheExplanation::canBuild(QString *reason) const
{
    return Sandbox::isAvailable(reason);
}

Reasons TestCacheExplanation::build(const QHash<QString, QString> &args, bool noCache)
{
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = m_context;
    request.buildArgs = args;
    request.noCache = noCache;
    Reasons reasons;
    auto result = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepDone && !e.cacheReason.isEmpty())
            reasons.insert(e.text, e.cacheReason);
    });
    if (!result)
        reasons.insert(QStringLiteral("error"), result.error().message);
    return reasons;
}

void TestCacheExplanation::rebuildReasons_data()
{
    QTest::addColumn<QString>("file");       // written before the second build ("" none)
    QTest::addColumn<QByteArray>("content"); // its new content ("" removes it)
    QTest::addColumn<QString>("version");    // --build-arg VERSION ("" none)
    QTest::addColumn<bool>("noCache");
    QTest::addColumn<Reasons>("expected");

    const QString copy = QStringLiteral("COPY *.go /src/");
    const QString cat = QStringLiteral("RUN cat /src/main.go > /out");
    const QString final = QStringLiteral("COPY --from=build /out /out");
    const QString byCopy = QStringLiteral("[build 4/5] COPY *.go /src/");
    QTest::addRow("file-modified") << QStringLiteral("main.go") << QByteArray("package main // changed\n")
                                   << QString() << false
                                   << Reasons{{copy, QStringLiteral("main.go modified")},
                                              {cat, QStringLiteral("parent changed: ") + byCopy},
                                              {final, QStringLiteral("stage it reads changed: build (by ") +
                                                          byCopy + u')'}};
    // The stage's key changed, whatever /out holds: the COPY --from runs again.
    const QString byBuild = QStringLiteral("stage it reads changed: build (by ") + byCopy + u')';
    QTest::addRow("file-added") << QStringLiteral("new.go") << QByteArray("package main\n") << QString()
                                << false
                                << Reasons{{copy, QStringLiteral("new.go added")},
                                           {cat, QStringLiteral("parent changed: ") + byCopy},
                                           {final, byBuild}};
    QTest::addRow("file-removed") << QStringLiteral("util.go") << QByteArray() << QString() << false
                                  << Reasons{{copy, QStringLiteral("util.go removed")},
                                             {cat, QStringLiteral("parent changed: ") + byCopy},
                                             {final, byBuild}};
    // Every RUN after the ARG has it in its key (BuildKit's "|1 VERSION=2"), used or not.
    QTest::addRow("arg-changed")
        << QString() << QByteArray() << QStringLiteral("2") << false
        << Reasons{{QStringLiteral("RUN echo $VERSION > /version"),
                    QStringLiteral("build arg VERSION changed: 1 \u2192 2")},
                   {copy, QStringLiteral("parent changed: [build 3/5] RUN echo $VERSION > /version")},
                   {cat, QStringLiteral("build arg VERSION changed: 1 \u2192 2")},
                   {final, QStringLiteral("stage it reads changed: build (by [build 3/5] RUN echo $VERSION > "
                                          "/version)")}};
    QTest::addRow("instruction-changed")
        << QStringLiteral("Dockerfile")
        << QByteArray(kDockerfile).replace("cat /src/main.go", "cat /src/util.go") << QString() << false
        << Reasons{{QStringLiteral("RUN cat /src/util.go > /out"),
                    QStringLiteral("instruction changed: RUN cat /src/main.go > /out \u2192 "
                                   "RUN cat /src/util.go > /out")},
                   {final, QStringLiteral("stage it reads changed: build (by [build 5/5] RUN cat "
                                          "/src/util.go > /out)")}};
    QTest::addRow("no-cache") << QString() << QByteArray() << QString() << true
                              << Reasons{{QStringLiteral("RUN echo $VERSION > /version"),
                                          QStringLiteral("--no-cache")},
                                         {copy, QStringLiteral("--no-cache")},
                                         {cat, QStringLiteral("--no-cache")},
                                         {final, QStringLiteral("--no-cache")}};
}

void TestCacheExplanation::rebuildReasons()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QString, version);
    QFETCH(bool, noCache);
    QFETCH(Reasons, expected);
    QString reason;
    if (!canBuild(&reason))
        QSKIP(qPrintable(reason));
    const Reasons first = build();
    QVERIFY2(!first.contains(QStringLiteral("error")), qPrintable(first.value(QStringLiteral("error"))));
    if (!file.isEmpty()) {
        if (content.isEmpty())
            QVERIFY(QFile::remove(m_context + u'/' + file));
        else
            QVERIFY(writeText(m_context + u'/' + file, content));
    }
    QHash<QString, QString> args;
    if (!version.isEmpty())
        args.insert(QStringLiteral("VERSION"), version);
    QCOMPARE(build(args, noCache), expected);
}

void TestCacheExplanation::firstBuildAndCachedBuild()
{
    QString reason;
    if (!canBuild(&reason))
        QSKIP(qPrintable(reason));
    const QString none = QStringLiteral("no previous build of this step");
    QCOMPARE(build(), (Reasons{{QStringLiteral("RUN echo $VERSION > /version"), none},
                               {QStringLiteral("COPY *.go /src/"), none},
                               {QStringLiteral("RUN cat /src/main.go > /out"), none},
                               {QStringLiteral("COPY --from=build /out /out"), none}}));
    QCOMPARE(build(), Reasons());
    // Back and forth: the record follows the inputs the cache was last used with, so a
    // change after a cached build of older inputs names the difference to those.
    QVERIFY(writeText(m_context + QStringLiteral("/main.go"), "package main // two\n"));
    QCOMPARE(build().value(QStringLiteral("COPY *.go /src/")), QStringLiteral("main.go modified"));
    QVERIFY(writeText(m_context + QStringLiteral("/main.go"), "package main\n"));
    QCOMPARE(build(), Reasons()); // the first build's results, from the cache
    QVERIFY(writeText(m_context + QStringLiteral("/util.go"), "package main // util two\n"));
    QCOMPARE(build().value(QStringLiteral("COPY *.go /src/")), QStringLiteral("util.go modified"));
    // A corrupt record is no previous build, never a failed one.
    const QString dir = m_store->cacheDir(QStringLiteral("explain"));
    for (const QString &name : QDir(dir).entryList(QDir::Files))
        QVERIFY(writeText(dir + u'/' + name, "{\"version\":1,\"key\":"));
    QVERIFY(writeText(m_context + QStringLiteral("/util.go"), "package main // util three\n"));
    QCOMPARE(build().value(QStringLiteral("COPY *.go /src/")), none);
}

void TestCacheExplanation::recordRoundTrip()
{
    const StepCacheRecord r = sampleRecord();
    const auto back = StepCacheRecord::fromJson(r.toJson());
    QVERIFY(back);
    QCOMPARE(back->toJson(), r.toJson());
    QCOMPARE(back->files, r.files);
    QCOMPARE(back->args, r.args);
    QCOMPARE(back->stages, r.stages);
    QCOMPARE(back->fileCount, 2);

    QTemporaryDir dir;
    const QString identity =
        CacheExplanation::identity(QStringLiteral("/src/project"), QStringLiteral("/src/project/Dockerfile"),
                                   QStringLiteral("build"), QStringLiteral("3"));
    // The same checkout in another place keeps its identity; another step does not.
    QCOMPARE(identity, CacheExplanation::identity(QStringLiteral("/home/x/project/"),
                                                  QStringLiteral("/home/x/project/Dockerfile"),
                                                  QStringLiteral("build"), QStringLiteral("3")));
    QVERIFY(identity != CacheExplanation::identity(QStringLiteral("/src/project"),
                                                   QStringLiteral("/src/project/Dockerfile"),
                                                   QStringLiteral("build"), QStringLiteral("4")));
    CacheExplanation::save(dir.path(), identity, r);
    const auto loaded = CacheExplanation::load(dir.path(), identity);
    QVERIFY(loaded);
    QCOMPARE(loaded->toJson(), r.toJson());
    QVERIFY(!CacheExplanation::load(dir.path(), QStringLiteral("missing.json")));
}

void TestCacheExplanation::hostileRecords_data()
{
    QTest::addColumn<QByteArray>("json");
    QByteArray good = sampleRecord().toJson();
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("not-json") << QByteArray("\x01\x02garbage");
    QTest::addRow("array") << QByteArray("[1,2]");
    QTest::addRow("other-version") << QByteArray(good).replace("\"version\":1", "\"version\":2");
    QTest::addRow("no-key") << QByteArray("{\"version\":1}");
    QTest::addRow("number-as-text") << QByteArray(good).replace("\"k1\"", "12");
    QTest::addRow("args-not-object") << QByteArray(good).replace("{\"VERSION\":\"1\"}", "[\"VERSION\"]");
    QTest::addRow("arg-not-string") << QByteArray(good).replace("{\"VERSION\":\"1\"}", "{\"VERSION\":1}");
    QTest::addRow("negative-count") << QByteArray(good).replace("\"fileCount\":2", "\"fileCount\":-4");
    QTest::addRow("count-below-files") << QByteArray(good).replace("\"fileCount\":2", "\"fileCount\":1");
    QTest::addRow("huge-text") << QByteArray("{\"version\":1,\"key\":\"") + QByteArray(100000, 'a') +
                                      QByteArray("\"}");
    QByteArray manyArgs("{\"version\":1,\"key\":\"k\",\"args\":{");
    for (int i = 0; i < 300; ++i)
        manyArgs += (i ? "," : "") + QByteArray("\"A") + QByteArray::number(i) + "\":\"v\"";
    manyArgs += "}}";
    QTest::addRow("too-many-args") << manyArgs;
    QTest::addRow("over-size") << QByteArray(StepCacheRecord::kMaxBytes + 1, ' ');
}

void TestCacheExplanation::hostileRecords()
{
    QFETCH(QByteArray, json);
    QVERIFY(!StepCacheRecord::fromJson(json));
    QTemporaryDir dir;
    QVERIFY(writeText(dir.filePath(QStringLiteral("r.json")), json));
    QVERIFY(!CacheExplanation::load(dir.path(), QStringLiteral("r.json")));
}

void TestCacheExplanation::recordFiles()
{
    // A record is never read through a link planted in its place, nor a directory.
    QTemporaryDir dir;
    QVERIFY(writeText(dir.filePath(QStringLiteral("real.json")), sampleRecord().toJson()));
    QVERIFY(CacheExplanation::load(dir.path(), QStringLiteral("real.json")));
    QVERIFY(
        QFile::link(dir.filePath(QStringLiteral("real.json")), dir.filePath(QStringLiteral("link.json"))));
    QVERIFY(!CacheExplanation::load(dir.path(), QStringLiteral("link.json")));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("dir.json")));
    QVERIFY(!CacheExplanation::load(dir.path(), QStringLiteral("dir.json")));
}

void TestCacheExplanation::explainBounds()
{
    StepCacheRecord before = sampleRecord();
    StepCacheRecord after = before;
    after.key = QStringLiteral("k2");
    // Many changed files: a count and the first names.
    before.files.clear();
    after.files.clear();
    for (int i = 0; i < 12; ++i) {
        const QString name = QStringLiteral("f%1.go").arg(i, 2, 10, QLatin1Char('0'));
        before.files.insert(name, QStringLiteral("file 644 a"));
        after.files.insert(name, QStringLiteral("file 644 b"));
    }
    before.fileCount = after.fileCount = 12;
    after.filesDigest = QStringLiteral("d2");
    QCOMPARE(CacheExplanation::explain(before, after, {}).text,
             QStringLiteral("12 files modified: f00.go, f01.go, f02.go, f03.go, f04.go and 7 more"));
    QCOMPARE(CacheExplanation::explain(before, after, {}).kind, CacheMissKind::ContextFiles);
    // Too many to list: the count alone.
    before.files.clear();
    after.files.clear();
    before.fileCount = after.fileCount = 9000;
    QCOMPARE(CacheExplanation::explain(before, after, {}).text,
             QStringLiteral("context files changed (9000 files read, too many to compare one by one)"));
    // Same inputs but the result gone; a parent changed with and without the step named.
    QCOMPARE(CacheExplanation::explain(before, before, {}).kind, CacheMissKind::ResultGone);
    StepCacheRecord parent = before;
    parent.key = QStringLiteral("k3");
    parent.parentKey = QStringLiteral("p2");
    QCOMPARE(CacheExplanation::explain(before, parent, {}).text,
             QStringLiteral("parent changed: the stage's base image changed"));
    QCOMPARE(CacheExplanation::explain(before, parent, QStringLiteral("[a 2/3] RUN x")).text,
             QStringLiteral("parent changed: [a 2/3] RUN x"));
    // A long instruction is shortened on its one line.
    StepCacheRecord longer = parent;
    longer.instruction = QStringLiteral("RUN ") + QString(1000, u'x');
    const QString text = CacheExplanation::explain(before, longer, {}).text;
    QVERIFY2(text.size() < 400, qPrintable(text));
    QVERIFY(text.startsWith(QStringLiteral("instruction changed: COPY *.go /src/ \u2192 RUN xxx")));
    QVERIFY(text.endsWith(QChar(0x2026)));
}

QTEST_GUILESS_MAIN(TestCacheExplanation)
#include "tst_cacheexplanation.moc"
