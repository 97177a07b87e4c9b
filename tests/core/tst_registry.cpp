// The registry client against a real docker-registry and against a registry served by
// the test: push, pull back, auth flows, manifest lists, damaged and broken downloads.
#include "core/oci/imageindex.h"
#include "core/oci/mediatype.h"
#include "core/registry/authchallenge.h"
#include "core/registry/registryclient.h"
#include "core/registry/registrycredentials.h"
#include "core/registry/registryprogressprinter.h"
#include "core/registry/registryreference.h"
#include "core/registry/registrysettings.h"
#include "core/store/imagestore.h"
#include "tests/core/registryfixture.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace stagecraft;
using stagecraft::test::FakeRegistry;
using stagecraft::test::RegistryFixture;

namespace {

const char *const kZeroDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

QString imagesDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

QString message(const Error &e)
{
    return e.message;
}

// A store holding Docker's busybox fixture image as "busybox:fixture".
std::optional<ImageStore> storeWithBusybox(const QString &root)
{
    auto store = ImageStore::open(root);
    if (!store)
        return std::nullopt;
    auto names = store->import(imagesDir() + QStringLiteral("/base.docker.tar"));
    if (!names || !names->contains(QStringLiteral("busybox:fixture")))
        return std::nullopt;
    return std::move(*store);
}

QStringList storedBlobs(const ImageStore &store)
{
    return QDir(store.root() + QStringLiteral("/blobs/sha256")).entryList(QDir::Files | QDir::Hidden);
}

void writeDockerConfig(const QString &dir, const QByteArray &json)
{
    QDir().mkpath(dir);
    QFile f(dir + QStringLiteral("/config.json"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(json);
}

} // namespace

class TestRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void references_data();
    void references();
    void settings();
    void settingsErrors_data();
    void settingsErrors();
    void commandLineOptions();
    void progressText();
    void credentials();
    void challenges();
    void pushAndPullBack();
    void chunkedPushAndSkopeo();
    void basicAuth();
    void bearerTokenFlow();
    void pullOnWorkerThread();
    void manifestListWithTwoPlatforms();
    void mirrorServesDockerHubNames();
    void damagedBlobRefused();
    void registryDiesMidPull();
    void offlineErrorNamesRemedies_data();
    void offlineErrorNamesRemedies();
    void cancellation();
};

void TestRegistry::references_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("canonical"); // empty: refused
    QTest::addColumn<QString>("familiar");
    QTest::addColumn<QString>("apiHost");
    const auto row = [](const char *name, const QString &input, const char *canonical, const char *familiar,
                        const char *apiHost) {
        QTest::addRow("%s", name) << input << QString::fromLatin1(canonical) << QString::fromLatin1(familiar)
                                  << QString::fromLatin1(apiHost);
    };
    const auto L = [](const char *text) { return QString::fromLatin1(text); };
    const QString digest = QLatin1String(kZeroDigest);
    row("bare", L("golang"), "docker.io/library/golang:latest", "golang:latest", "registry-1.docker.io");
    row("tag", L("golang:1.21"), "docker.io/library/golang:1.21", "golang:1.21", "registry-1.docker.io");
    row("user", L("user/app:2"), "docker.io/user/app:2", "user/app:2", "registry-1.docker.io");
    row("explicit-hub", L("docker.io/library/alpine"), "docker.io/library/alpine:latest", "alpine:latest",
        "registry-1.docker.io");
    row("index-host", L("index.docker.io/alpine:3"), "docker.io/library/alpine:3", "alpine:3",
        "registry-1.docker.io");
    row("port", L("localhost:5000/x/y:1"), "localhost:5000/x/y:1", "localhost:5000/x/y:1", "localhost:5000");
    row("localhost", L("localhost/x"), "localhost/x:latest", "localhost/x:latest", "localhost");
    row("dotted-host", L("ghcr.io/org/tool:v1.2"), "ghcr.io/org/tool:v1.2", "ghcr.io/org/tool:v1.2",
        "ghcr.io");
    QTest::addRow("digest") << QStringLiteral("golang@") + digest
                            << QStringLiteral("docker.io/library/golang@") + digest
                            << QStringLiteral("golang@") + digest << L("registry-1.docker.io");
    QTest::addRow("tag-and-digest") << QStringLiteral("127.0.0.1:5000/a:1@") + digest
                                    << QStringLiteral("127.0.0.1:5000/a:1@") + digest
                                    << QStringLiteral("127.0.0.1:5000/a:1@") + digest << L("127.0.0.1:5000");
    row("separators", L("a.b_c__d-e---f"), "docker.io/library/a.b_c__d-e---f:latest", "a.b_c__d-e---f:latest",
        "registry-1.docker.io");
    row("upper-host-ok", L("Registry.Example.com/a"), "Registry.Example.com/a:latest",
        "Registry.Example.com/a:latest", "Registry.Example.com");
    for (const char *bad :
         {"Golang", "", "a:-x", "a@sha256:abc", "a@md5:0123", "a//b", "a:", "host:5000/", "a b", "-a"})
        row(bad[0] ? bad : "empty", L(bad), "", "", "");
}

void TestRegistry::references()
{
    QFETCH(QString, input);
    QFETCH(QString, canonical);
    QFETCH(QString, familiar);
    QFETCH(QString, apiHost);
    auto ref = RegistryReference::parse(input);
    QVERIFY2(ref.has_value() == !canonical.isEmpty(),
             qPrintable(ref ? ref->canonical() : ref.error().message));
    if (!ref) {
        QVERIFY(!ref.error().message.isEmpty());
        return;
    }
    QCOMPARE(ref->canonical(), canonical);
    QCOMPARE(ref->familiar(), familiar);
    QCOMPARE(ref->apiHost(), apiHost);
    // The canonical form reads back as the same reference.
    QCOMPARE(RegistryReference::parse(ref->canonical()).value(), *ref);
}

void TestRegistry::settings()
{
    auto parsed = RegistrySettings::parse("# classroom\n"
                                          "docker.io = http://192.168.1.10:5000   # the teacher's laptop\n"
                                          "\n"
                                          "insecure = 192.168.1.10:5000\n"
                                          "ghcr.io=https://mirror.example.org/\n",
                                          QStringLiteral("registries.conf"));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    QCOMPARE(parsed->endpoint(QStringLiteral("docker.io"), QStringLiteral("registry-1.docker.io")),
             QUrl(QStringLiteral("http://192.168.1.10:5000")));
    QCOMPARE(parsed->endpoint(QStringLiteral("ghcr.io"), QStringLiteral("ghcr.io")),
             QUrl(QStringLiteral("https://mirror.example.org")));
    QCOMPARE(parsed->endpoint(QStringLiteral("quay.io"), QStringLiteral("quay.io")),
             QUrl(QStringLiteral("https://quay.io")));
    QCOMPARE(parsed->endpoint(QStringLiteral("192.168.1.10:5000"), QStringLiteral("192.168.1.10:5000")),
             QUrl(QStringLiteral("http://192.168.1.10:5000")));
    QCOMPARE(parsed->endpoint(QStringLiteral("localhost:5000"), QStringLiteral("localhost:5000")),
             QUrl(QStringLiteral("http://localhost:5000")));
    QCOMPARE(parsed->endpoint(QStringLiteral("127.0.0.1:1"), QStringLiteral("127.0.0.1:1")),
             QUrl(QStringLiteral("http://127.0.0.1:1")));
    QVERIFY(parsed->allowsPlainHttp(QStringLiteral("[::1]:5000")));
    QVERIFY(!parsed->allowsPlainHttp(QStringLiteral("192.168.1.11:5000")));

    // Round trip through the file, as the window's preferences would use it.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/registries.conf"));
    QVERIFY(parsed->addMirrorOption(QStringLiteral("quay.io=http://10.0.0.1:5001")));
    QVERIFY(parsed->save(path));
    auto loaded = RegistrySettings::load(path);
    QVERIFY(loaded);
    QCOMPARE(loaded->mirrors(), parsed->mirrors());
    QCOMPARE(loaded->insecureHosts(), QStringList{QStringLiteral("192.168.1.10:5000")});
    QVERIFY(RegistrySettings::load(dir.filePath(QStringLiteral("missing.conf")))->mirrors().isEmpty());

    // The default file lives in the user's configuration directory.
    const QByteArray oldConfig = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", dir.path().toLocal8Bit());
    QCOMPARE(RegistrySettings::defaultPath(), dir.path() + QStringLiteral("/stagecraft/registries.conf"));
    if (oldConfig.isEmpty())
        qunsetenv("XDG_CONFIG_HOME");
    else
        qputenv("XDG_CONFIG_HOME", oldConfig);
}

void TestRegistry::settingsErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char *name, const char *text, const char *expected) {
        QTest::addRow("%s", name) << QByteArray(text) << QString::fromLatin1(expected);
    };
    row("no-equals", "\ndocker.io http://x\n", "registries.conf:2: expected");
    row("bad-scheme", "docker.io = ftp://x\n", "registries.conf:1: `ftp://x` is not a mirror URL");
    row("path", "docker.io = http://x/v2/\n", "must not have a path");
    row("no-value", "insecure =\n", "has no value");
    row("bad-registry", "a/b = http://x\n", "is not a registry name");
}

void TestRegistry::settingsErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    auto parsed = RegistrySettings::parse(text, QStringLiteral("registries.conf"));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.contains(expected), qPrintable(parsed.error().message));
    RegistrySettings s;
    QVERIFY(!s.addMirrorOption(QStringLiteral("docker.io")));
}

void TestRegistry::commandLineOptions()
{
    RegistrySettings s;
    auto rest = s.takeCommandLineOptions(
        {QStringLiteral("--mirror"), QStringLiteral("docker.io=http://10.0.0.5:5000"),
         QStringLiteral("golang:1.21"), QStringLiteral("--insecure=10.0.0.6:5000"), QStringLiteral("--store"),
         QStringLiteral("/s"), QStringLiteral("--"), QStringLiteral("--mirror")});
    QVERIFY2(rest, qPrintable(rest ? QString() : rest.error().message));
    QCOMPARE(*rest, (QStringList{QStringLiteral("golang:1.21"), QStringLiteral("--store"),
                                 QStringLiteral("/s"), QStringLiteral("--"), QStringLiteral("--mirror")}));
    QCOMPARE(s.endpoint(QStringLiteral("docker.io"), QStringLiteral("registry-1.docker.io")),
             QUrl(QStringLiteral("http://10.0.0.5:5000")));
    QCOMPARE(s.endpoint(QStringLiteral("10.0.0.6:5000"), QStringLiteral("10.0.0.6:5000")),
             QUrl(QStringLiteral("http://10.0.0.6:5000")));
    QVERIFY(!s.takeCommandLineOptions({QStringLiteral("--insecure")}));
    QVERIFY(!s.takeCommandLineOptions({QStringLiteral("--mirror=docker.io")}));
    QVERIFY(!s.takeCommandLineOptions({QStringLiteral("--insecure"), QStringLiteral("http://x/")}));
}

void TestRegistry::progressText()
{
    const Digest digest = Digest::parse(QLatin1String(kZeroDigest)).value();
    const QList<RegistryProgress> events{
        {QStringLiteral("a"), digest, {}, 0, 2000000, RegistryProgress::Phase::Downloading},
        {QStringLiteral("a"), digest, {}, 1000000, 2000000, RegistryProgress::Phase::Downloading},
        {QStringLiteral("a"), digest, {}, 1000001, 2000000, RegistryProgress::Phase::Downloading},
        {QStringLiteral("a"), digest, {}, 2000000, 2000000, RegistryProgress::Phase::Done},
        {QStringLiteral("a"), Digest::ofBytes("x"), {}, 512, 512, RegistryProgress::Phase::Present},
    };
    QString plain;
    RegistryProgressPrinter plainPrinter(false, [&](const QString &t) { plain += t; });
    for (const RegistryProgress &p : events)
        plainPrinter.report(p);
    QCOMPARE(plain, QStringLiteral("sha256:e3b0c44298fc: pulled 2 MB\n"
                                   "sha256:2d711642b726: already present (512 B)\n"));
    QString tty;
    RegistryProgressPrinter ttyPrinter(true, [&](const QString &t) { tty += t; });
    for (const RegistryProgress &p : events)
        ttyPrinter.report(p);
    QVERIFY2(tty.startsWith(QStringLiteral("\rsha256:e3b0c44298fc: Downloading [>")), qPrintable(tty));
    QVERIFY2(tty.contains(QStringLiteral("[===============>              ] 1 MB / 2 MB")), qPrintable(tty));
    QCOMPARE(tty.count(QStringLiteral("Downloading")), 2); // redrawn only when the bar moves
    QVERIFY(tty.contains(QStringLiteral("\rsha256:e3b0c44298fc: pulled 2 MB\x1b[K\n")));
}

void TestRegistry::credentials()
{
    auto parsed = RegistryCredentials::parse(
        R"({"auths": {
              "https://index.docker.io/v1/": {"auth": "aHViLXVzZXI6aHViOnBhc3M="},
              "127.0.0.1:5000": {"username": "ann", "password": "secret"},
              "https://registry.example.org": {"auth": "YTpi"},
              "helper.example.org": {}
           }, "credsStore": "desktop"})",
        QStringLiteral("config.json"));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    QCOMPARE(parsed->find(QStringLiteral("docker.io"))->username, QStringLiteral("hub-user"));
    QCOMPARE(parsed->find(QStringLiteral("docker.io"))->password, QStringLiteral("hub:pass"));
    QCOMPARE(parsed->find(QStringLiteral("127.0.0.1:5000"))->password, QStringLiteral("secret"));
    QCOMPARE(parsed->find(QStringLiteral("registry.example.org"))->username, QStringLiteral("a"));
    QVERIFY(!parsed->find(QStringLiteral("helper.example.org")));
    QVERIFY(!parsed->find(QStringLiteral("127.0.0.1:5001")));

    auto broken = RegistryCredentials::parse("{\"auths\": {\"x\": {\"auth\": \"bm9jb2xvbg==\"}}}",
                                             QStringLiteral("config.json"));
    QVERIFY(!broken);
    QVERIFY2(broken.error().message.contains(QStringLiteral("`x`")), qPrintable(broken.error().message));
    QVERIFY(!RegistryCredentials::parse("[", QStringLiteral("config.json")));

    // DOCKER_CONFIG names the directory of config.json.
    QTemporaryDir dir;
    writeDockerConfig(dir.path(), R"({"auths": {"h:1": {"auth": "dTpw"}}})");
    qputenv("DOCKER_CONFIG", dir.path().toLocal8Bit());
    QCOMPARE(RegistryCredentials::defaultPath(), dir.path() + QStringLiteral("/config.json"));
    auto loaded = RegistryCredentials::load();
    qunsetenv("DOCKER_CONFIG");
    QVERIFY(loaded);
    QCOMPARE(loaded->find(QStringLiteral("h:1"))->username, QStringLiteral("u"));
    QCOMPARE(RegistryCredentials::defaultPath(), QDir::homePath() + QStringLiteral("/.docker/config.json"));
}

void TestRegistry::challenges()
{
    const AuthChallenge bearer = AuthChallenge::parse(QStringLiteral(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/golang:pull")"));
    QCOMPARE(bearer.scheme, QStringLiteral("bearer"));
    QCOMPARE(bearer.realm(), QStringLiteral("https://auth.docker.io/token"));
    QCOMPARE(bearer.service(), QStringLiteral("registry.docker.io"));
    QCOMPARE(bearer.scope(), QStringLiteral("repository:library/golang:pull"));
    const AuthChallenge basic = AuthChallenge::parse(QStringLiteral(R"(Basic realm="a \"quoted\", realm")"));
    QCOMPARE(basic.scheme, QStringLiteral("basic"));
    QCOMPARE(basic.realm(), QStringLiteral("a \"quoted\", realm"));
    const AuthChallenge bare =
        AuthChallenge::parse(QStringLiteral("Bearer realm=http://x/t , scope=a:b:pull"));
    QCOMPARE(bare.realm(), QStringLiteral("http://x/t"));
    QCOMPARE(bare.scope(), QStringLiteral("a:b:pull"));
    QVERIFY(AuthChallenge::parse(QString()).scheme.isEmpty());
    QVERIFY(AuthChallenge::parse(QStringLiteral("Bearer realm=\"unterminated")).realm() ==
            QStringLiteral("unterminated"));
}

void TestRegistry::pushAndPullBack()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const QString remote = registry.host() + QStringLiteral("/test/busybox:1");

    RegistryClient client;
    QList<RegistryProgress> pushEvents;
    PushOptions monolithic;
    monolithic.chunkSize = 0;
    auto pushed = client.push(*source, QStringLiteral("busybox:fixture"), remote, monolithic,
                              [&](const RegistryProgress &p) { pushEvents << p; });
    QVERIFY2(pushed, qPrintable(pushed ? QString() : pushed.error().message));
    const Descriptor local = source->resolve(QStringLiteral("busybox:fixture")).value();
    QCOMPARE(pushed->digest, local.digest);
    QVERIFY(std::any_of(pushEvents.cbegin(), pushEvents.cend(), [](const RegistryProgress &p) {
        return p.phase == RegistryProgress::Phase::Done && p.bytesDone == p.bytesTotal &&
               p.bytesTotal > 100000;
    }));

    // A second push finds every blob in place.
    QList<RegistryProgress> again;
    QVERIFY(client.push(*source, QStringLiteral("busybox:fixture"), remote, monolithic,
                        [&](const RegistryProgress &p) { again << p; }));
    QCOMPARE(again.size(), 2);
    for (const RegistryProgress &p : again)
        QCOMPARE(p.phase, RegistryProgress::Phase::Present);

    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    QVERIFY(target);
    QList<RegistryProgress> pullEvents;
    RegistryClient fresh;
    auto pulled = fresh.pullInto(*target, remote, {}, [&](const RegistryProgress &p) { pullEvents << p; });
    QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
    QCOMPARE(pulled->digest, local.digest);
    QCOMPARE(target->resolve(remote).value().digest, local.digest);
    const Image original = source->image(QStringLiteral("busybox:fixture")).value();
    const Image copy = target->image(remote).value();
    QCOMPARE(copy.id(), original.id());
    QCOMPARE(copy.layers.size(), original.layers.size());
    QCOMPARE(copy.layers.first().diffId, original.layers.first().diffId);
    QVERIFY(std::any_of(pullEvents.cbegin(), pullEvents.cend(), [](const RegistryProgress &p) {
        return p.phase == RegistryProgress::Phase::Downloading && p.bytesDone > 0 &&
               p.bytesDone < p.bytesTotal;
    }));
    auto verified = target->verify();
    QVERIFY(verified);
    QVERIFY2(verified->ok(), qPrintable(verified->problems.join(QLatin1Char('\n'))));

    // By digest: tagged with the digest, nothing fetched again.
    const QString byDigest = registry.host() + QStringLiteral("/test/busybox@") + local.digest.toString();
    QList<RegistryProgress> digestEvents;
    auto again2 =
        fresh.pullInto(*target, byDigest, {}, [&](const RegistryProgress &p) { digestEvents << p; });
    QVERIFY2(again2, qPrintable(again2 ? QString() : again2.error().message));
    QCOMPARE(target->resolve(byDigest).value().digest, local.digest);
    for (const RegistryProgress &p : digestEvents)
        QCOMPARE(p.phase, RegistryProgress::Phase::Present);

    // An unknown tag is a clear error naming the image.
    auto missing = fresh.pullInto(*target, registry.host() + QStringLiteral("/test/busybox:nope"));
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("test/busybox:nope")),
             qPrintable(message(missing.error())));
}

void TestRegistry::chunkedPushAndSkopeo()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const QString remote = registry.host() + QStringLiteral("/test/chunked:2");
    RegistryClient client;
    PushOptions chunked;
    chunked.chunkSize = 256 * 1024;
    qint64 lastUploaded = 0;
    int uploadReports = 0;
    auto pushed = client.push(
        *source, QStringLiteral("busybox:fixture"), remote, chunked, [&](const RegistryProgress &p) {
            if (p.phase == RegistryProgress::Phase::Uploading && p.bytesTotal > chunked.chunkSize) {
                QVERIFY(p.bytesDone >= lastUploaded);
                lastUploaded = p.bytesDone;
                ++uploadReports;
            }
        });
    QVERIFY2(pushed, qPrintable(pushed ? QString() : pushed.error().message));
    QVERIFY2(uploadReports >= 4, qPrintable(QString::number(uploadReports)));

    const Image image = source->image(QStringLiteral("busybox:fixture")).value();
    const QString skopeo = QStandardPaths::findExecutable(QStringLiteral("skopeo"));
    if (skopeo.isEmpty())
        QSKIP("skopeo is not installed: cannot cross-check the pushed image");
    QProcess p;
    p.start(skopeo, {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                     QStringLiteral("docker://") + remote});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QJsonObject inspected = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QCOMPARE(inspected.value(QLatin1String("Digest")).toString(), pushed->digest.toString());
    const QJsonArray layers = inspected.value(QLatin1String("Layers")).toArray();
    QCOMPARE(layers.size(), image.manifest.layers.size());
    for (qsizetype i = 0; i < layers.size(); ++i)
        QCOMPARE(layers.at(i).toString(), image.manifest.layers.at(i).digest.toString());
    QCOMPARE(inspected.value(QLatin1String("Architecture")).toString(), image.config.platform().architecture);
}

void TestRegistry::basicAuth()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    if (QStandardPaths::findExecutable(QStringLiteral("htpasswd")).isEmpty())
        QSKIP("htpasswd is not installed (Debian package apache2-utils)");
    RegistryFixture registry;
    QVERIFY2(registry.start(QStringLiteral("ann"), QStringLiteral("s3cret:x")), qPrintable(registry.error()));
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const QString remote = registry.host() + QStringLiteral("/private/busybox:1");

    // Without credentials: an error that says how to log in.
    RegistryClient anonymous;
    auto refused = anonymous.push(*source, QStringLiteral("busybox:fixture"), remote);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("docker login ") + registry.host()),
             qPrintable(refused.error().message));

    // A wrong password is refused, not retried forever.
    RegistryCredentials wrong;
    wrong.set(registry.host(), {QStringLiteral("ann"), QStringLiteral("nope")});
    RegistryClient wrongClient({}, wrong);
    auto denied = wrongClient.push(*source, QStringLiteral("busybox:fixture"), remote);
    QVERIFY(!denied);
    QVERIFY2(denied.error().message.contains(QStringLiteral("refused")), qPrintable(denied.error().message));

    // Credentials from $DOCKER_CONFIG/config.json: base64 "auth" for the push...
    writeDockerConfig(dir.filePath(QStringLiteral("docker")),
                      "{\"auths\":{\"" + registry.host().toLatin1() + "\":{\"auth\":\"" +
                          QByteArray("ann:s3cret:x").toBase64() + "\"}}}");
    qputenv("DOCKER_CONFIG", QFile::encodeName(dir.filePath(QStringLiteral("docker"))));
    auto fromConfig = RegistryClient::createDefault();
    QVERIFY(fromConfig);
    auto pushed = (*fromConfig)->push(*source, QStringLiteral("busybox:fixture"), remote);
    QVERIFY2(pushed, qPrintable(pushed ? QString() : pushed.error().message));

    // ...and username/password fields for the pull.
    writeDockerConfig(dir.filePath(QStringLiteral("docker")),
                      "{\"auths\":{\"http://" + registry.host().toLatin1() +
                          "\":{\"username\":\"ann\",\"password\":\"s3cret:x\"}}}");
    auto second = RegistryClient::createDefault();
    qunsetenv("DOCKER_CONFIG");
    QVERIFY(second);
    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    auto pulled = (*second)->pullInto(*target, remote);
    QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
    QCOMPARE(pulled->digest, pushed->digest);
}

void TestRegistry::bearerTokenFlow()
{
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const Image image = source->image(QStringLiteral("busybox:fixture")).value();
    FakeRegistry fake;
    QVERIFY(fake.listen());
    fake.requireBearer("t0ken-123");
    fake.setRoute("/v2/team/busybox/manifests/1.0",
                  {200, image.manifestDescriptor.mediaType.toLatin1(), image.manifestBytes, -1});
    fake.setRoute("/v2/team/busybox/blobs/" + image.manifest.config.digest.toString().toLatin1(),
                  {200, "application/octet-stream", image.configBytes, -1});
    // The layer is redirected to storage elsewhere, which must not see the registry's token.
    FakeRegistry storage;
    QVERIFY(storage.listen());
    const Digest layer = image.layers.first().descriptor.digest;
    storage.setRoute("/blobs/" + layer.toString().toLatin1(),
                     {200, "application/octet-stream", source->readBlob(layer).value(), -1});
    fake.setRoute(
        "/v2/team/busybox/blobs/" + layer.toString().toLatin1(),
        {307,
         "text/plain",
         {},
         -1,
         "Location: http://" + storage.host().toLatin1() + "/blobs/" + layer.toString().toLatin1() + "\r\n"});

    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    RegistryClient client;
    const QString reference = fake.host() + QStringLiteral("/team/busybox:1.0");
    auto pulled = client.pullInto(*target, reference);
    QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
    QCOMPARE(pulled->digest, image.manifestDescriptor.digest);
    QCOMPARE(target->image(reference).value().id(), image.id());

    const QStringList requests = fake.requests();
    // First an anonymous request, answered 401; then the token; then everything with it.
    QVERIFY2(requests.value(0).startsWith(QStringLiteral("GET /v2/team/busybox/manifests/1.0 auth=")) &&
                 requests.value(0).endsWith(QStringLiteral("auth=")),
             qPrintable(requests.join(QLatin1Char('\n'))));
    QVERIFY2(requests.value(1).startsWith(QStringLiteral("GET /token?")), qPrintable(requests.value(1)));
    QVERIFY(requests.value(1).contains(QStringLiteral("service=fake-registry")));
    QVERIFY(requests.value(1).contains(QStringLiteral("scope=repository")));
    QVERIFY(requests.value(1).contains(QStringLiteral("team/busybox")));
    int withToken = 0;
    for (const QString &r : requests.mid(2)) {
        QVERIFY2(r.endsWith(QStringLiteral("auth=Bearer t0ken-123")), qPrintable(r));
        ++withToken;
    }
    QCOMPARE(withToken, 3); // manifest, config, layer (redirected)
    QCOMPARE(storage.requests(),
             QStringList{QStringLiteral("GET /blobs/") + layer.toString() + QStringLiteral(" auth=")});
}

void TestRegistry::pullOnWorkerThread()
{
    // The builder pulls a missing base image from a worker thread, with a client of its own.
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const Image image = source->image(QStringLiteral("busybox:fixture")).value();
    FakeRegistry fake;
    QVERIFY(fake.listen());
    fake.setRoute("/v2/x/manifests/1",
                  {200, image.manifestDescriptor.mediaType.toLatin1(), image.manifestBytes, -1});
    fake.setRoute("/v2/x/blobs/" + image.manifest.config.digest.toString().toLatin1(),
                  {200, "application/octet-stream", image.configBytes, -1});
    const Digest layer = image.layers.first().descriptor.digest;
    fake.setRoute("/v2/x/blobs/" + layer.toString().toLatin1(),
                  {200, "application/octet-stream", source->readBlob(layer).value(), -1});
    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    QVERIFY(target);
    const QString reference = fake.host() + QStringLiteral("/x:1");
    std::optional<Expected<Descriptor>> result;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        RegistryClient client;
        result = client.pullInto(*target, reference);
    }));
    worker->start();
    // The fake registry answers on this thread's event loop.
    QVERIFY(QTest::qWaitFor([&] { return worker->isFinished(); }, 30000));
    QVERIFY(result.has_value());
    QVERIFY2(*result, qPrintable(*result ? QString() : result->error().message));
    QCOMPARE((*result)->digest, image.manifestDescriptor.digest);
    QCOMPARE(target->image(reference).value().id(), image.id());
}

void TestRegistry::manifestListWithTwoPlatforms()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const Image amd64 = source->image(QStringLiteral("busybox:fixture")).value();

    // An arm64 twin: the same layer, a config that says arm64/v8.
    QJsonObject config = QJsonDocument::fromJson(amd64.configBytes).object();
    config.insert(QStringLiteral("architecture"), QStringLiteral("arm64"));
    config.insert(QStringLiteral("variant"), QStringLiteral("v8"));
    auto configDescriptor = source->putBlob(QJsonDocument(config).toJson(QJsonDocument::Compact),
                                            amd64.manifest.config.mediaType);
    QVERIFY(configDescriptor);
    QJsonObject manifest = QJsonDocument::fromJson(amd64.manifestBytes).object();
    manifest.insert(QStringLiteral("config"), configDescriptor->toJson());
    auto armManifest = source->putBlob(QJsonDocument(manifest).toJson(QJsonDocument::Compact),
                                       amd64.manifestDescriptor.mediaType);
    QVERIFY(armManifest);

    QJsonObject amdEntry = amd64.manifestDescriptor.toJson();
    amdEntry.insert(QStringLiteral("platform"),
                    QJsonObject{{QStringLiteral("os"), QStringLiteral("linux")},
                                {QStringLiteral("architecture"), QStringLiteral("amd64")}});
    QJsonObject armEntry = armManifest->toJson();
    armEntry.insert(QStringLiteral("platform"),
                    QJsonObject{{QStringLiteral("os"), QStringLiteral("linux")},
                                {QStringLiteral("architecture"), QStringLiteral("arm64")},
                                {QStringLiteral("variant"), QStringLiteral("v8")}});
    const QJsonObject index{{QStringLiteral("schemaVersion"), 2},
                            {QStringLiteral("mediaType"), QString(mediatype::DockerManifestList)},
                            {QStringLiteral("manifests"), QJsonArray{amdEntry, armEntry}}};
    auto indexDescriptor =
        source->putBlob(QJsonDocument(index).toJson(QJsonDocument::Compact), mediatype::DockerManifestList);
    QVERIFY(indexDescriptor);
    QVERIFY(source->tag(QStringLiteral("multi:1"), *indexDescriptor));

    const QString remote = registry.host() + QStringLiteral("/test/multi:1");
    RegistryClient client;
    auto pushed = client.push(*source, QStringLiteral("multi:1"), remote);
    QVERIFY2(pushed, qPrintable(pushed ? QString() : pushed.error().message));
    QCOMPARE(pushed->digest, indexDescriptor->digest);

    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    PullOptions arm;
    arm.platform = Platform::parse(QStringLiteral("linux/arm64")).value();
    auto pulledArm = client.pullInto(*target, remote, arm);
    QVERIFY2(pulledArm, qPrintable(pulledArm ? QString() : pulledArm.error().message));
    QCOMPARE(pulledArm->digest, armManifest->digest);
    QCOMPARE(pulledArm->platform->architecture, QStringLiteral("arm64"));
    QCOMPARE(target->image(remote).value().config.platform().architecture, QStringLiteral("arm64"));

    auto pulledDefault = client.pullInto(*target, remote);
    QVERIFY(pulledDefault);
    QCOMPARE(pulledDefault->digest, amd64.manifestDescriptor.digest);
    QCOMPARE(target->resolve(remote).value().digest, amd64.manifestDescriptor.digest);

    PullOptions riscv;
    riscv.platform = Platform::parse(QStringLiteral("linux/riscv64")).value();
    auto none = client.pullInto(*target, remote, riscv);
    QVERIFY(!none);
    QVERIFY2(none.error().message.contains(QStringLiteral("linux/riscv64")) &&
                 none.error().message.contains(QStringLiteral("linux/arm64/v8")),
             qPrintable(none.error().message));
    auto verified = target->verify();
    QVERIFY(verified && verified->ok());
}

void TestRegistry::mirrorServesDockerHubNames()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    RegistryClient client;
    QVERIFY(client.push(*source, QStringLiteral("busybox:fixture"),
                        registry.host() + QStringLiteral("/library/busybox:fixture")));

    RegistrySettings settings;
    QVERIFY(settings.addMirrorOption(QStringLiteral("docker.io=") + registry.url()));
    RegistryClient mirrored(settings);
    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    auto pulled = mirrored.pullInto(*target, QStringLiteral("busybox:fixture"));
    QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
    // Stored under the familiar name, so `FROM busybox:fixture` finds it.
    QCOMPARE(target->references().value().keys(), QStringList{QStringLiteral("busybox:fixture")});
    QCOMPARE(target->resolve(QStringLiteral("busybox:fixture")).value().digest,
             source->resolve(QStringLiteral("busybox:fixture")).value().digest);
}

void TestRegistry::damagedBlobRefused()
{
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const Image image = source->image(QStringLiteral("busybox:fixture")).value();
    FakeRegistry fake;
    QVERIFY(fake.listen());
    fake.setRoute("/v2/x/manifests/1",
                  {200, image.manifestDescriptor.mediaType.toLatin1(), image.manifestBytes, -1});
    fake.setRoute("/v2/x/blobs/" + image.manifest.config.digest.toString().toLatin1(),
                  {200, "application/octet-stream", image.configBytes, -1});
    const Digest layer = image.layers.first().descriptor.digest;
    QByteArray damaged = source->readBlob(layer).value();
    damaged[damaged.size() / 2] = char(damaged[damaged.size() / 2] ^ 0x20);
    fake.setRoute("/v2/x/blobs/" + layer.toString().toLatin1(),
                  {200, "application/octet-stream", damaged, -1});

    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    RegistryClient client;
    auto pulled = client.pullInto(*target, fake.host() + QStringLiteral("/x:1"));
    QVERIFY(!pulled);
    QVERIFY2(pulled.error().message.contains(layer.toString()), qPrintable(pulled.error().message));
    QVERIFY2(pulled.error().message.contains(QStringLiteral("damaged")), qPrintable(pulled.error().message));
    QVERIFY(!target->hasBlob(layer));
    QVERIFY(target->references().value().isEmpty());
    auto verified = target->verify();
    QVERIFY(verified && verified->ok());
}

void TestRegistry::registryDiesMidPull()
{
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const Image image = source->image(QStringLiteral("busybox:fixture")).value();
    FakeRegistry fake;
    QVERIFY(fake.listen());
    fake.setRoute("/v2/x/manifests/1",
                  {200, image.manifestDescriptor.mediaType.toLatin1(), image.manifestBytes, -1});
    fake.setRoute("/v2/x/blobs/" + image.manifest.config.digest.toString().toLatin1(),
                  {200, "application/octet-stream", image.configBytes, -1});
    const Digest layer = image.layers.first().descriptor.digest;
    const QByteArray bytes = source->readBlob(layer).value();
    fake.setRoute("/v2/x/blobs/" + layer.toString().toLatin1(),
                  {200, "application/octet-stream", bytes, bytes.size() / 2});

    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    RegistryClient client;
    client.setRetries(3, 50);
    auto pulled = client.pullInto(*target, fake.host() + QStringLiteral("/x:1"));
    QVERIFY(!pulled);
    QVERIFY2(pulled.error().message.contains(layer.toString()) ||
                 pulled.error().message.contains(fake.host()),
             qPrintable(pulled.error().message));
    QVERIFY(!target->hasBlob(layer));
    QVERIFY(target->hasBlob(image.manifest.config.digest)); // what was complete stays, verified
    QVERIFY(!storedBlobs(*target).contains(layer.hex()));
    QVERIFY(target->references().value().isEmpty());
    auto verified = target->verify();
    QVERIFY(verified);
    QVERIFY2(verified->ok(), qPrintable(verified->problems.join(QLatin1Char('\n'))));
    QVERIFY(QDir(target->root() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

void TestRegistry::offlineErrorNamesRemedies_data()
{
    QTest::addColumn<QString>("reference");
    QTest::addRow("closed-port") << QStringLiteral("127.0.0.1:%1/team/app:1").arg(test::freePort());
    QTest::addRow("bogus-host") << QStringLiteral("registry.invalid/team/app:1");
}

void TestRegistry::offlineErrorNamesRemedies()
{
    QFETCH(QString, reference);
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    RegistryClient client;
    auto pulled = client.pullInto(*store, reference);
    QVERIFY(!pulled);
    const QString text = pulled.error().message;
    QVERIFY2(text.contains(reference), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("cannot reach")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("stagecraft import")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("--mirror")), qPrintable(text));
    QVERIFY(store->references().value().isEmpty());
}

void TestRegistry::cancellation()
{
    QTemporaryDir dir;
    auto source = storeWithBusybox(dir.filePath(QStringLiteral("a")));
    QVERIFY(source);
    const Image image = source->image(QStringLiteral("busybox:fixture")).value();
    FakeRegistry fake;
    QVERIFY(fake.listen());
    fake.setRoute("/v2/x/manifests/1",
                  {200, image.manifestDescriptor.mediaType.toLatin1(), image.manifestBytes, -1});
    fake.setRoute("/v2/x/blobs/" + image.manifest.config.digest.toString().toLatin1(),
                  {200, "application/octet-stream", image.configBytes, -1});
    const Digest layer = image.layers.first().descriptor.digest;
    fake.setRoute("/v2/x/blobs/" + layer.toString().toLatin1(),
                  {200, "application/octet-stream", source->readBlob(layer).value(), -1});

    auto target = ImageStore::open(dir.filePath(QStringLiteral("b")));
    RegistryClient client;
    CancellationToken cancel;
    auto pulled = client.pullInto(
        *target, fake.host() + QStringLiteral("/x:1"), {},
        [&](const RegistryProgress &p) {
            if (p.digest == layer && p.bytesDone > 0)
                cancel.cancel();
        },
        cancel);
    QVERIFY(!pulled);
    QVERIFY2(pulled.error().message.contains(QStringLiteral("cancelled")),
             qPrintable(pulled.error().message));
    QVERIFY(!target->hasBlob(layer));
    auto verified = target->verify();
    QVERIFY(verified && verified->ok());
}

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
