#include "core/registry/registrysettings.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSaveFile>
#include <QStandardPaths>

namespace stagecraft {

namespace {

QString hostOf(const QString &hostAndPort)
{
    if (hostAndPort.startsWith(QLatin1Char('['))) {
        const qsizetype close = hostAndPort.indexOf(QLatin1Char(']'));
        return close > 0 ? hostAndPort.mid(1, close - 1) : hostAndPort;
    }
    const qsizetype colon = hostAndPort.indexOf(QLatin1Char(':'));
    return colon < 0 ? hostAndPort : hostAndPort.left(colon);
}

Expected<QUrl> parseMirrorUrl(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty())
        return fail(QStringLiteral("`%1` is not a mirror URL (write it like http://127.0.0.1:5000 or "
                                   "https://mirror.example.org)")
                        .arg(text.trimmed()));
    if (!url.path().isEmpty() && url.path() != QLatin1String("/"))
        return fail(
            QStringLiteral("the mirror URL `%1` must not have a path: registries serve their API at /v2/")
                .arg(text.trimmed()));
    QUrl clean;
    clean.setScheme(url.scheme());
    clean.setHost(url.host());
    clean.setPort(url.port());
    return clean;
}

} // namespace

QString RegistrySettings::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/stagecraft/registries.conf");
}

Expected<RegistrySettings> RegistrySettings::load(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return RegistrySettings();
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the registry settings %1: %2").arg(path, file.errorString()));
    return parse(file.readAll(), path);
}

Expected<RegistrySettings> RegistrySettings::parse(const QByteArray &text, const QString &origin)
{
    RegistrySettings settings;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = QString::fromUtf8(lines.at(i));
        if (const qsizetype hash = line.indexOf(QLatin1Char('#')); hash >= 0)
            line.truncate(hash);
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        const auto lineError = [&](const QString &message) {
            return fail(QStringLiteral("%1:%2: %3").arg(origin).arg(i + 1).arg(message));
        };
        if (eq <= 0)
            return lineError(
                QStringLiteral("expected `REGISTRY = URL` or `insecure = HOST:PORT`, found `%1`").arg(line));
        const QString key = line.left(eq).trimmed();
        const QString value = line.mid(eq + 1).trimmed();
        if (value.isEmpty())
            return lineError(QStringLiteral("`%1` has no value").arg(key));
        if (key == QLatin1String("insecure")) {
            settings.addInsecure(value);
        } else if (auto set = settings.setMirror(key, value); !set) {
            return lineError(set.error().message);
        }
    }
    return settings;
}

QByteArray RegistrySettings::toText() const
{
    QByteArray text(
        "# Stagecraft registry settings: `REGISTRY = MIRROR-URL` and `insecure = HOST:PORT` lines\n");
    for (auto it = m_mirrors.cbegin(); it != m_mirrors.cend(); ++it)
        text += it.key().toUtf8() + " = " + it.value().toString().toUtf8() + '\n';
    for (const QString &host : m_insecure)
        text += "insecure = " + host.toUtf8() + '\n';
    return text;
}

Expected<void> RegistrySettings::save(const QString &path) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(
            QStringLiteral("cannot write the registry settings %1: %2").arg(path, file.errorString()));
    file.write(toText());
    if (!file.commit())
        return fail(
            QStringLiteral("cannot write the registry settings %1: %2").arg(path, file.errorString()));
    return {};
}

Expected<QStringList> RegistrySettings::takeCommandLineOptions(const QStringList &args)
{
    QStringList rest;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("--")) {
            rest << args.mid(i);
            break;
        }
        QString option = arg;
        QString value;
        bool known = false;
        for (const QLatin1String name : {QLatin1String("--mirror"), QLatin1String("--insecure")}) {
            if (arg == name) {
                if (i + 1 >= args.size())
                    return fail(QStringLiteral("%1 needs a value").arg(name));
                option = name;
                value = args.at(++i);
                known = true;
            } else if (arg.startsWith(name + QLatin1Char('='))) {
                option = name;
                value = arg.mid(name.size() + 1);
                known = true;
            }
        }
        if (!known) {
            rest << arg;
            continue;
        }
        if (option == QLatin1String("--insecure")) {
            if (value.trimmed().isEmpty() || value.contains(QLatin1Char('/')))
                return fail(QStringLiteral("--insecure takes a registry host (HOST or HOST:PORT), not `%1`")
                                .arg(value));
            addInsecure(value);
        } else if (auto added = addMirrorOption(value); !added) {
            return std::unexpected(added.error());
        }
    }
    return rest;
}

Expected<void> RegistrySettings::addMirrorOption(const QString &option)
{
    const qsizetype eq = option.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return fail(
            QStringLiteral("`%1`: write a mirror as REGISTRY=URL, e.g. docker.io=http://127.0.0.1:5000")
                .arg(option));
    return setMirror(option.left(eq).trimmed(), option.mid(eq + 1));
}

Expected<void> RegistrySettings::setMirror(const QString &registry, const QString &url)
{
    if (registry.isEmpty() || registry.contains(QLatin1Char('/')) || registry.contains(QLatin1Char(' ')))
        return fail(QStringLiteral("`%1` is not a registry name (docker.io, or HOST[:PORT])").arg(registry));
    auto parsed = parseMirrorUrl(url);
    if (!parsed)
        return std::unexpected(parsed.error());
    QString key = registry.toLower();
    if (key == QLatin1String("index.docker.io") || key == QLatin1String("registry-1.docker.io"))
        key = QStringLiteral("docker.io");
    m_mirrors.insert(key, *parsed);
    return {};
}

void RegistrySettings::addInsecure(const QString &host)
{
    const QString h = host.trimmed().toLower();
    if (!h.isEmpty() && !m_insecure.contains(h))
        m_insecure << h;
}

bool RegistrySettings::isLoopback(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool RegistrySettings::allowsPlainHttp(const QString &hostAndPort) const
{
    const QString lower = hostAndPort.toLower();
    return isLoopback(hostOf(lower)) || m_insecure.contains(lower) || m_insecure.contains(hostOf(lower));
}

QUrl RegistrySettings::endpoint(const QString &registry, const QString &apiHost) const
{
    if (auto it = m_mirrors.constFind(registry.toLower()); it != m_mirrors.cend())
        return *it;
    return QUrl((allowsPlainHttp(apiHost) ? QStringLiteral("http://") : QStringLiteral("https://")) +
                apiHost);
}

} // namespace stagecraft
