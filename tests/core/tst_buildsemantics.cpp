// The builder runs what the build plan read, with BuildKit's Dockerfile semantics: each row
// builds a Dockerfile on Docker's busybox image and reads the files the steps wrote back
// from the image, so a word expanded at the wrong time or with the wrong scope shows.
#include "core/builder/builder.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerreader.h"

#include "buildfixture.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

#include <sys/stat.h>

using namespace stagecraft;
using namespace Qt::StringLiterals;
using fixtures::readBytes;
using fixtures::writeText;

namespace {

using FileChecks = QList<std::pair<QString, QByteArray>>;

} // namespace

class TestBuildSemantics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void semantics_data();
    void semantics();
    void chmodForms_data();
    void chmodForms();
    void baseImageScope();
    void parsedTextWins();
    void triggerFromImage();
    void filesOfContainerUsers();
    void proxyArgs();

private:
    Expected<Image> build(const QByteArray &dockerfile, const QString &tag,
                          std::shared_ptr<const Dockerfile> parsed = {});
    QString unpack(const Image &image);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
    QString m_context;
};

void TestBuildSemantics::init()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = ImageStore::open(m_dir->filePath(QStringLiteral("store")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = *store;
    auto imported = m_store->import(fixtures::imagesDataDir() + QStringLiteral("/base.docker.tar"),
                                    QStringLiteral("busybox:fixture"));
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    m_context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(m_context + QStringLiteral("/f.txt"), "from the context\n"));
}

Expected<Image> TestBuildSemantics::build(const QByteArray &dockerfile, const QString &tag,
                                          std::shared_ptr<const Dockerfile> parsed)
{
    if (!writeText(m_context + QStringLiteral("/Dockerfile"), dockerfile))
        return fail(QStringLiteral("cannot write the Dockerfile"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = m_context;
    request.tags = {tag};
    request.parsed = std::move(parsed);
    auto built = builder.build(request);
    if (!built)
        return std::unexpected(built.error());
    return m_store->image(tag);
}

QString TestBuildSemantics::unpack(const Image &image)
{
    const QString dir = m_dir->filePath(QStringLiteral("rootfs-%1").arg(image.id().toString().mid(7, 12)));
    return fixtures::unpackImage(image, dir) ? dir : QString();
}

void TestBuildSemantics::semantics_data()
{
    QTest::addColumn<QByteArray>("dockerfile");
    QTest::addColumn<FileChecks>("files");

    // ENV expands every pair with the values from before the instruction.
    QTest::addRow("env-pairs-see-earlier-values")
        << QByteArray("FROM busybox:fixture\nENV a=old\nENV a=new b=$a\nRUN echo \"$a $b\" > /out\n")
        << FileChecks{{u"out"_s, QByteArray("new old\n")}};
    // An ARG declared in a stage is in scope in a stage built FROM it (BuildKit's rule).
    QTest::addRow("arg-inherited-from-base-stage")
        << QByteArray(
               "FROM busybox:fixture AS base\nARG NAME=joe\nFROM base\nRUN echo \"hello $NAME\" > /out\n")
        << FileChecks{{u"out"_s, QByteArray("hello joe\n")}};
    // ONBUILD of a stage of the same file runs in the stage built FROM it.
    QTest::addRow("onbuild-from-stage")
        << QByteArray("FROM busybox:fixture AS base\nONBUILD RUN echo triggered > /out\n"
                      "FROM base\nRUN echo own > /own\n")
        << FileChecks{{u"out"_s, QByteArray("triggered\n")}, {u"own"_s, QByteArray("own\n")}};
    // A heredoc after a command goes to the shell below the command line; the shell
    // expands it unless its delimiter is quoted.
    QTest::addRow("heredoc-after-command")
        << QByteArray("FROM busybox:fixture\nENV W=world\nRUN cat <<EOF > /out\nhello $W\nEOF\n")
        << FileChecks{{u"out"_s, QByteArray("hello world\n")}};
    QTest::addRow("heredoc-quoted-after-command")
        << QByteArray("FROM busybox:fixture\nENV W=world\nRUN cat <<'EOF' > /out\nhello $W\nEOF\n")
        << FileChecks{{u"out"_s, QByteArray("hello $W\n")}};
    QTest::addRow("two-heredocs-one-line")
        << QByteArray("FROM busybox:fixture\nRUN cat <<A > /a && cat <<B > /b\none\nA\ntwo\nB\n")
        << FileChecks{{u"a"_s, QByteArray("one\n")}, {u"b"_s, QByteArray("two\n")}};
    QTest::addRow("heredoc-is-the-script")
        << QByteArray("FROM busybox:fixture\nRUN <<EOF\necho first > /out\necho second >> /out\nEOF\n")
        << FileChecks{{u"out"_s, QByteArray("first\nsecond\n")}};
    // A heredoc script with a shebang runs as a file of its own through its interpreter.
    QTest::addRow("heredoc-shebang") << QByteArray("FROM busybox:fixture\nENV W=world\nRUN "
                                                   "<<EOF\n#!/bin/busybox sh\necho \"$0 $W\" > /out\nEOF\n")
                                     << FileChecks{{u"out"_s, QByteArray("/dev/pipes/EOF world\n")}};
    // BuildKit expands the JSON form of COPY too.
    QTest::addRow("json-copy-expanded")
        << QByteArray("FROM busybox:fixture\nARG SRC=f.txt\nCOPY [\"$SRC\", \"/out\"]\n")
        << FileChecks{{u"out"_s, QByteArray("from the context\n")}};
    // A mount's relative target is below the working directory.
    QTest::addRow("mount-target-below-workdir")
        << QByteArray("FROM busybox:fixture\nWORKDIR /w\n"
                      "RUN --mount=type=bind,source=f.txt,target=rel cat /w/rel > /out\n")
        << FileChecks{{u"out"_s, QByteArray("from the context\n")}};
    // TARGETSTAGE names the stage being built, once a stage declares it (BuildKit #5431).
    QTest::addRow("targetstage")
        << QByteArray("FROM busybox:fixture AS base\nRUN echo \"first:$TARGETSTAGE\" > /first\n"
                      "ARG TARGETSTAGE\nRUN echo \"second:$TARGETSTAGE\" > /second\n"
                      "FROM base AS final\n")
        << FileChecks{{u"first"_s, QByteArray("first:\n")}, {u"second"_s, QByteArray("second:final\n")}};
    QTest::addRow("targetstage-unnamed")
        << QByteArray("FROM busybox:fixture\nARG TARGETSTAGE\nRUN echo \"$TARGETSTAGE\" > /out\n")
        << FileChecks{{u"out"_s, QByteArray("default\n")}};
    // A cache mount's directory is made with its uid, gid and mode (0, 0 and 0755 by default).
    QTest::addRow("cache-mount-owner-mode")
        << QByteArray("FROM busybox:fixture\n"
                      "RUN --mount=type=cache,target=/c,uid=1000,gid=1001,mode=0710 "
                      "stat -c '%u:%g %a' /c > /out\n")
        << FileChecks{{u"out"_s, QByteArray("1000:1001 710\n")}};
    QTest::addRow("cache-mount-defaults")
        << QByteArray("FROM busybox:fixture\nRUN --mount=type=cache,target=/c stat -c '%u:%g %a' /c > /out\n")
        << FileChecks{{u"out"_s, QByteArray("0:0 755\n")}};
    // COPY --from names a stage as written; an index counts from the first stage.
    QTest::addRow("copy-from-index") << QByteArray("FROM busybox:fixture\nRUN echo zero > /zero\n"
                                                   "FROM busybox:fixture\nCOPY --from=0 /zero /out\n")
                                     << FileChecks{{u"out"_s, QByteArray("zero\n")}};
    // WORKDIR expands with the stage's ENV and resolves against the previous one.
    QTest::addRow("workdir-relative-and-env")
        << QByteArray("FROM busybox:fixture\nENV D=deep\nWORKDIR /a\nWORKDIR $D/er\nRUN pwd > /out\n")
        << FileChecks{{u"out"_s, QByteArray("/a/deep/er\n")}};
}

void TestBuildSemantics::semantics()
{
    QFETCH(QByteArray, dockerfile);
    QFETCH(FileChecks, files);
    auto image = build(dockerfile, QStringLiteral("semantics:test"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    const QString root = unpack(*image);
    QVERIFY(!root.isEmpty());
    for (const auto &[path, content] : files)
        QCOMPARE(readBytes(root + QLatin1Char('/') + path), content);
    // The triggers ran; none is passed on to images built FROM this one.
    QVERIFY(image->config.config.onBuild.isEmpty());
}

void TestBuildSemantics::chmodForms_data()
{
    QTest::addColumn<QString>("chmod");
    QTest::addColumn<QString>("argValue");
    QTest::addColumn<int>("fileMode");
    QTest::addColumn<int>("dirMode");
    QTest::addRow("octal") << u"0640"_s << QString() << 0640 << 0640;
    QTest::addRow("symbolic") << u"u=rwx,go=r"_s << QString() << 0744 << 0744;
    // X gives execute to directories (and files already executable by someone).
    QTest::addRow("symbolic-capital-x") << u"a=rX"_s << QString() << 0444 << 0555;
    QTest::addRow("from-an-arg") << u"$MODE"_s << u"0700"_s << 0700 << 0700;
}

void TestBuildSemantics::chmodForms()
{
    QFETCH(QString, chmod);
    QFETCH(QString, argValue);
    QFETCH(int, fileMode);
    QFETCH(int, dirMode);
    QVERIFY(writeText(m_context + QStringLiteral("/d/sub/inner.txt"), "inner\n"));
    QByteArray dockerfile = "FROM busybox:fixture\n";
    if (!argValue.isEmpty())
        dockerfile += "ARG MODE=" + argValue.toUtf8() + "\n";
    dockerfile += "COPY --chmod=" + chmod.toUtf8() + " f.txt /out\n";
    dockerfile += "COPY --chmod=" + chmod.toUtf8() + " d /d\n";
    auto image = build(dockerfile, QStringLiteral("chmod:test"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    const QString root = unpack(*image);
    QVERIFY(!root.isEmpty());
    struct stat st = {};
    QCOMPARE(::lstat(QFile::encodeName(root + QStringLiteral("/out")).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 07777), fileMode);
    // Directories are checked from the top down and then opened to their owner: an
    // ordinary user cannot look inside a directory that lost its x bit.
    for (const QString &dir : {QStringLiteral("/d"), QStringLiteral("/d/sub")}) {
        const QByteArray path = QFile::encodeName(root + dir);
        QCOMPARE(::lstat(path.constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 07777), dirMode);
        QCOMPARE(::chmod(path.constData(), 0700), 0);
    }
    QCOMPARE(::lstat(QFile::encodeName(root + QStringLiteral("/d/sub/inner.txt")).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 07777), fileMode);
}

// A stage on an image expands its words with the image's ENV and WORKDIR, which the plan
// alone cannot know: the builder reads the stage again once the image is there.
void TestBuildSemantics::baseImageScope()
{
    auto base = build("FROM busybox:fixture\nENV GOPATH=/go\nWORKDIR /start\nSHELL [\"/bin/sh\", \"-ec\"]\n",
                      QStringLiteral("base:env"));
    QVERIFY2(base, qPrintable(base ? QString() : base.error().message));
    auto image = build("FROM base:env\nWORKDIR $GOPATH/src\nRUN pwd > /out\nWORKDIR rel\n"
                       "COPY f.txt $GOPATH/copied\nCMD run it\n",
                       QStringLiteral("child:test"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    const QString root = unpack(*image);
    QCOMPARE(readBytes(root + QStringLiteral("/out")), QByteArray("/go/src\n"));
    QCOMPARE(readBytes(root + QStringLiteral("/go/copied")), QByteArray("from the context\n"));
    QCOMPARE(image->config.config.workingDir, u"/go/src/rel"_s);
    // The shell form takes the SHELL the base image set.
    QCOMPARE(image->config.config.cmd, (QStringList{u"/bin/sh"_s, u"-ec"_s, u"run it"_s}));
}

// The window builds the editor's text, unsaved changes included: the parsed Dockerfile it
// hands over wins over the file on disk.
void TestBuildSemantics::parsedTextWins()
{
    const auto parsed = std::make_shared<const Dockerfile>(
        DockerfileParser::parse(u"FROM busybox:fixture\nRUN echo editor > /out\n"));
    auto image = build("FROM busybox:fixture\nRUN echo disk > /out\n", QStringLiteral("parsed:test"), parsed);
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QCOMPARE(readBytes(unpack(*image) + QStringLiteral("/out")), QByteArray("editor\n"));
}

// An image's ONBUILD trigger runs first in a stage built FROM it, and is not passed on.
void TestBuildSemantics::triggerFromImage()
{
    auto base = build("FROM busybox:fixture\nONBUILD RUN echo ok > /ok\n", QStringLiteral("base:trigger"));
    QVERIFY2(base, qPrintable(base ? QString() : base.error().message));
    QCOMPARE(base->config.config.onBuild, QStringList{u"RUN echo ok > /ok"_s});
    auto child = build("FROM base:trigger\nRUN cat /ok > /out\n", QStringLiteral("child:trigger"));
    QVERIFY2(child, qPrintable(child ? QString() : child.error().message));
    QCOMPARE(readBytes(unpack(*child) + QStringLiteral("/out")), QByteArray("ok\n"));
    QVERIFY(child->config.config.onBuild.isEmpty());
}

// Files a RUN gives to a container user with no read permission for others: as an ordinary
// user they belong to a subordinate id the builder cannot read as itself, yet the layer
// must hold them, contents, owner and mode as written.
void TestBuildSemantics::filesOfContainerUsers()
{
    auto image = build("FROM busybox:fixture\n"
                       "RUN echo secret > /private && chown 1000:1000 /private && chmod 0600 /private \\\n"
                       " && echo shared > /group && chown 1000:1000 /group && chmod 0640 /group \\\n"
                       " && ln /group /group.hard\n",
                       QStringLiteral("owners:test"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    auto blob = image->openLayer(image->layers.size() - 1);
    QVERIFY2(blob, qPrintable(blob ? QString() : blob.error().message));
    auto contents = LayerReader::readAll(blob->get());
    QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
    QStringList seen;
    for (const LayerEntry &e : contents->entries)
        if (e.path == QLatin1String("private") || e.path == QLatin1String("group"))
            seen << QStringLiteral("%1 %2:%3 %4 %5")
                        .arg(e.path)
                        .arg(e.uid)
                        .arg(e.gid)
                        .arg(e.mode, 0, 8)
                        .arg(e.size);
    seen.sort();
    QCOMPARE(seen, (QStringList{u"group 1000:1000 640 7"_s, u"private 1000:1000 600 7"_s}));
    const QString root = unpack(*image);
    QVERIFY(!root.isEmpty());
    QCOMPARE(readBytes(root + QStringLiteral("/private")), QByteArray("secret\n"));
    QCOMPARE(readBytes(root + QStringLiteral("/group")), QByteArray("shared\n"));
}

// The proxy variables are predefined ARGs: --build-arg gives them to every RUN without
// an ARG line, and neither the history nor the cache key holds them.
void TestBuildSemantics::proxyArgs()
{
    QVERIFY(writeText(m_context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture\nRUN echo \"$HTTP_PROXY|$no_proxy|$OTHER\" > /proxy\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = m_context;
    request.tags = {QStringLiteral("proxy:1")};
    request.buildArgs = {{u"HTTP_PROXY"_s, u"http://user:secret@proxy:3128"_s},
                         {u"no_proxy"_s, u"localhost"_s},
                         {u"OTHER"_s, u"undeclared"_s}};
    auto first = builder.build(request);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    auto image = m_store->image(QStringLiteral("proxy:1"));
    QVERIFY(image);
    QCOMPARE(readBytes(unpack(*image) + QStringLiteral("/proxy")),
             QByteArray("http://user:secret@proxy:3128|localhost|\n"));
    for (const HistoryEntry &h : image->config.history)
        QVERIFY2(!h.createdBy.contains(u"secret"_s), qPrintable(h.createdBy));
    // Another proxy: the step is taken from the cache.
    request.buildArgs[u"HTTP_PROXY"_s] = u"http://other:3128"_s;
    auto second = builder.build(request);
    QVERIFY(second);
    QCOMPARE(second->cachedSteps, 1);
}

QTEST_GUILESS_MAIN(TestBuildSemantics)
#include "tst_buildsemantics.moc"
