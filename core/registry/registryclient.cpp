#include "core/registry/registryclient.h"

#include "core/oci/imageindex.h"
#include "core/oci/imagemanifest.h"
#include "core/oci/mediatype.h"
#include "core/registry/authchallenge.h"
#include "core/registry/blobtransfer.h"
#include "core/registry/replywaiter.h"
#include "core/store/imagestore.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

namespace stagecraft {

namespace {

constexpr qint64 MaxManifestSize = 4 * 1024 * 1024; // what registries accept, too

bool isTransient(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError: return true;
    default: return false;
    }
}

// Below 200 QNetworkReply reports transport problems; above, HTTP answers the status says.
bool isTransportError(QNetworkReply::NetworkError error)
{
    return error != QNetworkReply::NoError && int(error) < 200;
}

QString documentMediaType(const QByteArray &bytes, const QString &contentType)
{
    const QString type = contentType.section(QLatin1Char(';'), 0, 0).trimmed();
    if (mediatype::isManifest(type) || mediatype::isIndex(type))
        return type;
    const QJsonObject o = QJsonDocument::fromJson(bytes).object();
    const QString field = o.value(QLatin1String("mediaType")).toString();
    if (!field.isEmpty())
        return field;
    if (o.contains(QLatin1String("manifests")))
        return mediatype::OciIndex;
    if (o.contains(QLatin1String("config")))
        return mediatype::OciManifest;
    return type;
}

QStringList storeNames(const RegistryReference &ref)
{
    QStringList names;
    if (!ref.tag().isEmpty())
        names << ref.familiarRepository() + QLatin1Char(':') + ref.tag();
    if (ref.digest().isValid())
        names << ref.familiarRepository() + QLatin1Char('@') + ref.digest().toString();
    return names;
}

QString prefixed(const QString &what, const Error &error)
{
    return QStringLiteral("%1: %2").arg(what, error.message);
}

} // namespace

struct RegistryClient::HostAuth
{
    QString scheme;                   // "basic" or "bearer" once the registry asked
    QMap<QString, QByteArray> tokens; // bearer tokens by scope
};

RegistryClient::RegistryClient(RegistrySettings settings, RegistryCredentials credentials)
    : m_settings(std::move(settings))
    , m_credentials(std::move(credentials))
{}

RegistryClient::~RegistryClient() = default;

Expected<std::unique_ptr<RegistryClient>> RegistryClient::createDefault()
{
    auto settings = RegistrySettings::load();
    if (!settings)
        return std::unexpected(settings.error());
    auto credentials = RegistryCredentials::load();
    if (!credentials)
        return std::unexpected(credentials.error());
    return std::make_unique<RegistryClient>(std::move(*settings), std::move(*credentials));
}

void RegistryClient::setTimeouts(int contactMs, int idleMs)
{
    m_contactMs = contactMs;
    m_idleMs = idleMs;
}

void RegistryClient::setRetries(int attempts, int firstDelayMs)
{
    m_attempts = qMax(1, attempts);
    m_firstDelayMs = firstDelayMs;
}

QNetworkAccessManager &RegistryClient::network()
{
    // Created on first use so it belongs to the thread that pulls or pushes.
    if (!m_network) {
        m_network = std::make_unique<QNetworkAccessManager>();
        // Redirects are followed by send(), which drops credentials when the host changes
        // (blob downloads are often redirected to storage that refuses a second auth).
        m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    }
    return *m_network;
}

RegistryClient::Target RegistryClient::targetFor(const RegistryReference &reference,
                                                 const QString &userReference, bool push) const
{
    Target t;
    t.base = m_settings.endpoint(reference.registry(), reference.apiHost());
    t.authority = t.base.authority();
    t.viaMirror = m_settings.mirrors().contains(reference.registry());
    t.credentialKey = t.viaMirror ? t.authority : reference.registry();
    t.registry = reference.registry();
    t.repository = reference.repository();
    t.image = userReference;
    t.scope = QStringLiteral("repository:") + reference.repository() +
              (push ? QStringLiteral(":pull,push") : QStringLiteral(":pull"));
    return t;
}

QString RegistryClient::unreachable(const Target &target, const QString &why) const
{
    const QString key = target.registry;
    return QStringLiteral("cannot reach the registry %1 (%2). Without network access, import the image "
                          "from a tarball instead (`docker save %3 -o image.tar` where it exists, then "
                          "`stagecraft import image.tar`), or use a mirror: `--mirror %4=http://HOST:PORT`, "
                          "or a `%4 = http://HOST:PORT` line in %5")
        .arg(target.base.toString(), why, target.image, key, RegistrySettings::defaultPath());
}

QByteArray RegistryClient::authorizationFor(const Target &target) const
{
    const auto it = m_auth.constFind(target.authority);
    if (it == m_auth.cend())
        return {};
    if ((*it)->scheme == QLatin1String("basic")) {
        if (auto credential = m_credentials.find(target.credentialKey))
            return "Basic " +
                   (credential->username + QLatin1Char(':') + credential->password).toUtf8().toBase64();
        return {};
    }
    return (*it)->tokens.value(target.scope);
}

Expected<void> RegistryClient::authenticate(const Target &target, const QString &challengeHeader,
                                            const CancellationToken &cancel)
{
    const AuthChallenge challenge = AuthChallenge::parse(challengeHeader);
    const auto credential = m_credentials.find(target.credentialKey);
    auto &auth = m_auth[target.authority];
    if (!auth)
        auth = std::make_shared<HostAuth>();
    const QString login = QStringLiteral("log in with `docker login %1` (Stagecraft reads the `auths` of %2)")
                              .arg(target.credentialKey, RegistryCredentials::defaultPath());
    if (challenge.scheme == QLatin1String("basic")) {
        if (!credential)
            return fail(QStringLiteral("the registry %1 asks for a user name and password; %2")
                            .arg(target.authority, login));
        if (auth->scheme == QLatin1String("basic"))
            return fail(QStringLiteral("the registry %1 refused the user name and password for `%2` (%3)")
                            .arg(target.authority, credential->username, RegistryCredentials::defaultPath()));
        auth->scheme = QStringLiteral("basic");
        return {};
    }
    if (challenge.scheme != QLatin1String("bearer") || challenge.realm().isEmpty())
        return fail(QStringLiteral("the registry %1 asks for authentication Stagecraft does not speak (`%2`)")
                        .arg(target.authority, challengeHeader));
    QUrl realm(challenge.realm());
    if (!realm.isValid() ||
        (realm.scheme() != QLatin1String("https") && realm.scheme() != QLatin1String("http")))
        return fail(QStringLiteral("the registry %1 names a token service that is not a URL: `%2`")
                        .arg(target.authority, challenge.realm()));
    QUrlQuery query(realm);
    if (!challenge.service().isEmpty())
        query.addQueryItem(QStringLiteral("service"), challenge.service());
    query.addQueryItem(QStringLiteral("scope"),
                       challenge.scope().isEmpty() ? target.scope : challenge.scope());
    realm.setQuery(query);

    Target tokenTarget = target;
    tokenTarget.base = realm.adjusted(QUrl::RemovePath | QUrl::RemoveQuery);
    tokenTarget.authority = realm.authority();
    Request request;
    request.url = realm;
    request.authenticate = false;
    if (credential)
        request.headers.append(
            {"Authorization",
             "Basic " +
                 (credential->username + QLatin1Char(':') + credential->password).toUtf8().toBase64()});
    auto response = send(tokenTarget, std::move(request), cancel);
    if (!response)
        return std::unexpected(response.error());
    if (response->status == 401 || response->status == 403)
        return fail(QStringLiteral("the token service %1 refused access to %2 (%3); %4")
                        .arg(realm.adjusted(QUrl::RemoveQuery).toString(), target.scope, response->error(),
                             credential ? QStringLiteral("check the credentials for %1 in %2")
                                              .arg(target.credentialKey, RegistryCredentials::defaultPath())
                                        : login));
    if (response->status != 200)
        return fail(QStringLiteral("the token service %1 answered %2")
                        .arg(realm.adjusted(QUrl::RemoveQuery).toString(), response->error()));
    const QJsonObject o = QJsonDocument::fromJson(response->body).object();
    QString token = o.value(QLatin1String("token")).toString();
    if (token.isEmpty())
        token = o.value(QLatin1String("access_token")).toString();
    if (token.isEmpty())
        return fail(QStringLiteral("the token service %1 sent no token")
                        .arg(realm.adjusted(QUrl::RemoveQuery).toString()));
    auth->scheme = QStringLiteral("bearer");
    auth->tokens.insert(target.scope, "Bearer " + token.toUtf8());
    return {};
}

BlobTransfer RegistryClient::blobTransfer()
{
    return BlobTransfer(
        [this](const Target &target, Request request, const CancellationToken &cancel) {
            return send(target, std::move(request), cancel);
        },
        m_idleMs, m_attempts, m_firstDelayMs);
}

Expected<RegistryClient::Response> RegistryClient::send(const Target &target, Request request,
                                                        const CancellationToken &cancel)
{
    QElapsedTimer started;
    started.start();
    bool authTried = false;
    int redirects = 0;
    for (int attempt = 0;;) {
        if (cancel.isCancelled())
            return failCancelled();
        QNetworkRequest req(request.url);
        req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("stagecraft"));
        for (const auto &[name, value] : request.headers)
            req.setRawHeader(name, value);
        if (request.authenticate && request.url.authority() == target.authority) {
            if (const QByteArray authorization = authorizationFor(target); !authorization.isEmpty())
                req.setRawHeader("Authorization", authorization);
        }
        Response response;
        QNetworkReply *reply = nullptr;
        if (request.bodyDevice) {
            auto device = request.bodyDevice();
            if (!device)
                return std::unexpected(device.error());
            response.bodyDevice = std::move(*device);
            req.setHeader(QNetworkRequest::ContentLengthHeader, request.bodySize);
            req.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
            reply = network().sendCustomRequest(req, request.method, response.bodyDevice.get());
        } else if (request.method == "GET") {
            reply = network().get(req);
        } else if (request.method == "HEAD") {
            reply = network().head(req);
        } else {
            req.setHeader(QNetworkRequest::ContentLengthHeader, request.body.size());
            reply = network().sendCustomRequest(req, request.method, request.body);
        }
        response.reply.reset(reply);
        if (request.onUpload)
            QObject::connect(reply, &QNetworkReply::uploadProgress, reply,
                             [&request](qint64 sent, qint64) { request.onUpload(sent); });

        const bool answeredBefore = m_reached.value(target.authority);
        const int idle = answeredBefore ? m_idleMs : m_contactMs;
        const int deadline = answeredBefore ? -1 : int(qMax<qint64>(1, m_contactMs - started.elapsed()));
        QString problem;
        bool transient = false;
        auto outcome = ReplyWaiter::wait(reply, ReplyWaiter::Until::Headers, cancel, idle, deadline);
        if (outcome == ReplyWaiter::Outcome::Cancelled)
            return failCancelled();
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (outcome == ReplyWaiter::Outcome::TimedOut) {
            problem = QStringLiteral("no answer within %1 s").arg(double(idle) / 1000.0, 0, 'g', 3);
            transient = true;
        } else if (!status.isValid()) {
            problem = reply->errorString();
            transient = isTransient(reply->error());
        } else {
            m_reached.insert(target.authority, true);
            response.status = status.toInt();
            const QUrl redirect = reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
            if (response.status >= 300 && response.status < 400 && redirect.isValid()) {
                if (++redirects > 5)
                    return fail(QStringLiteral("%1 redirected %2 more than 5 times")
                                    .arg(target.authority, request.url.toString(QUrl::RemoveQuery)));
                const QUrl next = request.url.resolved(redirect);
                if (next.scheme() == QLatin1String("http") && request.url.scheme() == QLatin1String("https"))
                    return fail(QStringLiteral("%1 redirected to plain HTTP (%2); refusing")
                                    .arg(target.authority, next.toString(QUrl::RemoveQuery)));
                if (next.authority() != request.url.authority()) {
                    request.headers.removeIf([](const auto &h) { return h.first == "Authorization"; });
                }
                request.url = next;
                continue;
            }
            if (response.status == 401 && request.authenticate && authTried) {
                const auto credential = m_credentials.find(target.credentialKey);
                return fail(
                    QStringLiteral("%1 refused access to %2 with %3; check them in %4, or log in again "
                                   "with `docker login %5`")
                        .arg(target.authority, target.repository,
                             credential ? QStringLiteral("the credentials of `%1`").arg(credential->username)
                                        : QStringLiteral("an anonymous token"),
                             RegistryCredentials::defaultPath(), target.credentialKey));
            }
            if (response.status == 401 && request.authenticate && !authTried) {
                authTried = true;
                auto authenticated =
                    authenticate(target, QString::fromLatin1(reply->rawHeader("WWW-Authenticate")), cancel);
                if (!authenticated)
                    return std::unexpected(authenticated.error());
                continue;
            }
            if ((response.status >= 500 && response.status != 501 && response.status != 505) ||
                response.status == 429) {
                ReplyWaiter::wait(reply, ReplyWaiter::Until::Finished, cancel, idle);
                response.body = reply->readAll();
                problem = QStringLiteral("%1 answered %2").arg(target.authority, response.error());
                transient = true;
            } else if (request.streamBody) {
                return response;
            } else {
                outcome = ReplyWaiter::wait(reply, ReplyWaiter::Until::Finished, cancel, idle);
                if (outcome == ReplyWaiter::Outcome::Cancelled)
                    return failCancelled();
                if (outcome == ReplyWaiter::Outcome::TimedOut) {
                    problem =
                        QStringLiteral("%1 stopped sending for %2 s").arg(target.authority).arg(idle / 1000);
                    transient = true;
                } else if (isTransportError(reply->error())) {
                    problem = reply->errorString();
                    transient = isTransient(reply->error());
                } else {
                    response.body = reply->readAll();
                    return response;
                }
            }
        }
        ++attempt;
        const bool reached = m_reached.value(target.authority);
        const bool withinBudget =
            reached || started.elapsed() + (m_firstDelayMs << (attempt - 1)) < m_contactMs;
        if (!transient || attempt >= m_attempts || !withinBudget) {
            if (!reached)
                return fail(unreachable(target, problem));
            return fail(QStringLiteral("%1 %2 failed: %3")
                            .arg(QString::fromLatin1(request.method), request.url.toString(QUrl::RemoveQuery),
                                 problem));
        }
        if (!ReplyWaiter::sleep(m_firstDelayMs << (attempt - 1), cancel))
            return failCancelled();
    }
}

Expected<RemoteManifest> RegistryClient::fetchManifest(const RegistryReference &reference,
                                                       const CancellationToken &cancel)
{
    const Target target = targetFor(reference, reference.familiar(), false);
    return fetchManifest(target, reference.manifestReference(), reference.digest(), cancel);
}

Expected<RemoteManifest> RegistryClient::fetchManifest(const Target &target, const QString &manifestReference,
                                                       const Digest &expected,
                                                       const CancellationToken &cancel)
{
    Request request;
    request.url = target.url(QStringLiteral("/manifests/") + manifestReference);
    request.headers.append({"Accept", QStringList{mediatype::OciIndex, mediatype::DockerManifestList,
                                                  mediatype::OciManifest, mediatype::DockerManifest}
                                          .join(QStringLiteral(", "))
                                          .toLatin1()});
    auto response = send(target, std::move(request), cancel);
    if (!response)
        return std::unexpected(response.error());
    if (response->status == 404)
        return fail(QStringLiteral("%1 has no image %2:%3 (%4); check the name and the tag")
                        .arg(target.authority, target.repository, manifestReference, response->error()));
    if (response->status == 401 || response->status == 403)
        return fail(QStringLiteral("%1 refused access to %2 (%3)")
                        .arg(target.authority, target.repository, response->error()));
    if (response->status != 200)
        return fail(QStringLiteral("%1 answered %2 for the manifest %3:%4")
                        .arg(target.authority, response->error(), target.repository, manifestReference));
    RemoteManifest manifest;
    manifest.bytes = response->body;
    if (manifest.bytes.size() > MaxManifestSize)
        return fail(QStringLiteral("the manifest %1:%2 is larger than 4 MiB; refusing it")
                        .arg(target.repository, manifestReference));
    manifest.digest = Digest::ofBytes(manifest.bytes);
    if (expected.isValid() && manifest.digest != expected)
        return fail(QStringLiteral("%1 sent a manifest with digest %2 for %3; refusing it")
                        .arg(target.authority, manifest.digest.toString(), expected.toString()));
    if (const QByteArray header = response->header("Docker-Content-Digest"); !header.isEmpty()) {
        if (auto claimed = Digest::parse(QString::fromLatin1(header)); claimed && *claimed != manifest.digest)
            return fail(
                QStringLiteral("%1 sent a manifest for %2:%3 whose bytes have digest %4, not the %5 it "
                               "claims; refusing it")
                    .arg(target.authority, target.repository, manifestReference, manifest.digest.toString(),
                         claimed->toString()));
    }
    manifest.mediaType = documentMediaType(
        manifest.bytes, response->reply->header(QNetworkRequest::ContentTypeHeader).toString());
    return manifest;
}

Expected<bool> RegistryClient::blobExists(const RegistryReference &reference, const Digest &digest,
                                          const CancellationToken &cancel)
{
    Descriptor blob;
    blob.digest = digest;
    blob.size = -1;
    return blobTransfer().exists(targetFor(reference, reference.familiar(), false), blob, cancel);
}

Expected<void> RegistryClient::pullBlob(ImageStore &store, const RegistryReference &reference,
                                        const Descriptor &blob, const CancellationToken &cancel)
{
    const Target target = targetFor(reference, reference.familiar(), false);
    if (auto fetched = blobTransfer().fetch(store, target, blob, {}, cancel); !fetched)
        return fail(QStringLiteral("cannot get blob %1 of %2: %3")
                        .arg(blob.digest.toString(), reference.familiar(), fetched.error().message));
    return {};
}

Expected<Descriptor> RegistryClient::pullInto(ImageStore &store, const QString &reference,
                                              const PullOptions &options,
                                              const RegistryProgressSink &progress,
                                              const CancellationToken &cancel)
{
    const QString what = QStringLiteral("cannot pull %1").arg(reference);
    auto ref = RegistryReference::parse(reference);
    if (!ref)
        return fail(prefixed(what, ref.error()));
    const Target target = targetFor(*ref, reference, false);
    // Blobs written before the tag exists must survive a concurrent garbage collection.
    auto lock = store.lease(QStringLiteral("pull"));
    if (!lock)
        return fail(prefixed(what, lock.error()));
    auto top = fetchManifest(target, ref->manifestReference(), ref->digest(), cancel);
    if (!top)
        return fail(prefixed(what, top.error()));

    Descriptor chosen;
    QByteArray manifestBytes;
    if (mediatype::isIndex(top->mediaType)) {
        auto index = ImageIndex::parse(top->bytes);
        if (!index)
            return fail(prefixed(what, index.error()));
        auto selected = index->select(options.platform);
        if (!selected) {
            QStringList offered;
            for (const Descriptor &d : index->manifests)
                if (d.platform)
                    offered << d.platform->toString();
            return fail(QStringLiteral("%1: it has no image for %2 (it offers %3)")
                            .arg(what, options.platform.toString(), offered.join(QStringLiteral(", "))));
        }
        auto manifest = fetchManifest(target, selected->digest.toString(), selected->digest, cancel);
        if (!manifest)
            return fail(prefixed(what, manifest.error()));
        chosen = *selected;
        chosen.mediaType = manifest->mediaType;
        chosen.size = manifest->bytes.size();
        chosen.annotations.clear();
        chosen.original = {};
        manifestBytes = manifest->bytes;
    } else {
        chosen.mediaType = top->mediaType;
        chosen.digest = top->digest;
        chosen.size = top->bytes.size();
        manifestBytes = top->bytes;
    }
    if (!mediatype::isManifest(chosen.mediaType))
        return fail(
            QStringLiteral("%1: the registry sent a `%2` document, not an image manifest (old schema 1 "
                           "images are not supported; push the image again with a current tool)")
                .arg(what, chosen.mediaType));
    auto manifest = ImageManifest::parse(manifestBytes);
    if (!manifest)
        return fail(prefixed(what, manifest.error()));
    QList<Descriptor> blobs{manifest->config};
    blobs += manifest->layers;
    BlobTransfer transfer = blobTransfer();
    for (const Descriptor &blob : std::as_const(blobs)) {
        if (auto fetched = transfer.fetch(store, target, blob, progress, cancel); !fetched)
            return fail(prefixed(what, fetched.error()));
    }
    QBuffer buffer(&manifestBytes);
    buffer.open(QIODevice::ReadOnly);
    if (auto stored = store.putBlob(&buffer, chosen.digest, chosen.size); !stored)
        return fail(prefixed(what, stored.error()));
    for (const QString &name : storeNames(*ref)) {
        if (auto tagged = store.tag(name, chosen); !tagged)
            return fail(prefixed(what, tagged.error()));
    }
    return chosen;
}

Expected<Digest> RegistryClient::putManifest(const Target &target, const QString &reference,
                                             const QByteArray &bytes, const QString &mediaType,
                                             const CancellationToken &cancel)
{
    Request request;
    request.method = "PUT";
    request.url = target.url(QStringLiteral("/manifests/") + reference);
    request.headers.append({"Content-Type", mediaType.toLatin1()});
    request.body = bytes;
    auto response = send(target, std::move(request), cancel);
    if (!response)
        return std::unexpected(response.error());
    if (response->status != 201 && response->status != 200)
        return fail(QStringLiteral("%1 did not accept the manifest %2:%3: %4")
                        .arg(target.authority, target.repository, reference, response->error()));
    const Digest digest = Digest::ofBytes(bytes);
    if (const QByteArray header = response->header("Docker-Content-Digest"); !header.isEmpty()) {
        if (QString::fromLatin1(header) != digest.toString())
            return fail(QStringLiteral("%1 stored the manifest %2 under the digest %3")
                            .arg(target.authority, digest.toString(), QString::fromLatin1(header)));
    }
    return digest;
}

Expected<void> RegistryClient::pushImageManifest(const ImageStore &store, const Target &target,
                                                 const Descriptor &manifestDescriptor,
                                                 const QString &tagOrDigest, const PushOptions &options,
                                                 const RegistryProgressSink &progress,
                                                 const CancellationToken &cancel)
{
    auto bytes = store.readBlob(manifestDescriptor.digest);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto manifest = ImageManifest::parse(*bytes);
    if (!manifest)
        return std::unexpected(manifest.error());
    QList<Descriptor> blobs = manifest->layers;
    blobs << manifest->config;
    BlobTransfer transfer = blobTransfer();
    for (const Descriptor &blob : std::as_const(blobs)) {
        if (!store.hasBlob(blob.digest))
            return fail(QStringLiteral("the blob %1 is not in the store (run `stagecraft store verify`)")
                            .arg(blob.digest.toString()));
        auto exists = transfer.exists(target, blob, cancel);
        if (!exists)
            return std::unexpected(exists.error());
        if (*exists) {
            if (progress)
                progress({target.image, blob.digest, blob.mediaType, blob.size, blob.size,
                          RegistryProgress::Phase::Present});
            continue;
        }
        if (auto uploaded = transfer.upload(store, target, blob, options.chunkSize, progress, cancel);
            !uploaded)
            return uploaded;
    }
    const QString mediaType = manifest->mediaType.isEmpty()
                                  ? (manifestDescriptor.mediaType.isEmpty() ? QString(mediatype::OciManifest)
                                                                            : manifestDescriptor.mediaType)
                                  : manifest->mediaType;
    auto digest = putManifest(target, tagOrDigest, *bytes, mediaType, cancel);
    if (!digest)
        return std::unexpected(digest.error());
    return {};
}

Expected<Descriptor> RegistryClient::push(const ImageStore &store, const QString &localReference,
                                          const QString &destination, const PushOptions &options,
                                          const RegistryProgressSink &progress,
                                          const CancellationToken &cancel)
{
    const QString destText = destination.isEmpty() ? localReference : destination;
    const QString what = QStringLiteral("cannot push %1").arg(destText);
    auto ref = RegistryReference::parse(destText);
    if (!ref)
        return fail(prefixed(what, ref.error()));
    if (ref->digest().isValid())
        return fail(QStringLiteral("%1: push to a tag (NAME:TAG), not to a digest").arg(what));
    auto local = store.resolve(localReference);
    if (!local)
        return fail(prefixed(what, local.error()));
    auto bytes = store.readBlob(local->digest);
    if (!bytes)
        return fail(prefixed(what, bytes.error()));
    const Target target = targetFor(*ref, destText, true);
    const QString mediaType = documentMediaType(*bytes, local->mediaType);
    Descriptor pushed;
    pushed.mediaType = mediaType;
    pushed.digest = local->digest;
    pushed.size = bytes->size();
    if (mediatype::isIndex(mediaType)) {
        auto index = ImageIndex::parse(*bytes);
        if (!index)
            return fail(prefixed(what, index.error()));
        for (const Descriptor &child : std::as_const(index->manifests)) {
            if (!store.hasBlob(child.digest))
                return fail(
                    QStringLiteral("%1: the index names the manifest %2 (%3), which is not in the store")
                        .arg(what, child.digest.toString(),
                             child.platform ? child.platform->toString() : QStringLiteral("no platform")));
            if (auto done = pushImageManifest(store, target, child, child.digest.toString(), options,
                                              progress, cancel);
                !done)
                return fail(prefixed(what, done.error()));
        }
        auto digest = putManifest(target, ref->tag(), *bytes, mediaType, cancel);
        if (!digest)
            return fail(prefixed(what, digest.error()));
    } else if (mediatype::isManifest(mediaType)) {
        if (auto done = pushImageManifest(store, target, pushed, ref->tag(), options, progress, cancel);
            !done)
            return fail(prefixed(what, done.error()));
    } else {
        return fail(
            QStringLiteral("%1: `%2` is a `%3` document, not an image").arg(what, localReference, mediaType));
    }
    return pushed;
}

} // namespace stagecraft
