#include "core/plan/runmount.h"

#include "core/plan/containerpath.h"

#include <QRegularExpression>
#include <QStringList>

#include <cmath>

namespace stagecraft {

namespace {

// Go's encoding/csv reading one record: fields split at ',', a field that starts with '"'
// is quoted ("" inside stands for one quote).
Expected<QStringList> csvFields(const QString &text)
{
    QStringList fields;
    qsizetype i = 0;
    const auto parseError = [](qsizetype column, const char *what) {
        return fail(QStringLiteral("failed to parse csv mounts: parse error on line 1, column %1: %2")
                        .arg(column + 1)
                        .arg(QLatin1String(what)));
    };
    for (;;) {
        QString field;
        if (i < text.size() && text.at(i) == QLatin1Char('"')) {
            ++i;
            bool closed = false;
            while (i < text.size()) {
                if (text.at(i) == QLatin1Char('"')) {
                    if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                        field += QLatin1Char('"');
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
            if (!closed || (i < text.size() && text.at(i) != QLatin1Char(',')))
                return parseError(i, "extraneous or missing \" in quoted-field");
        } else {
            const qsizetype end = text.indexOf(QLatin1Char(','), i);
            field = text.mid(i, end < 0 ? -1 : end - i);
            if (const qsizetype quote = field.indexOf(QLatin1Char('"')); quote >= 0)
                return parseError(i + quote, "bare \" in non-quoted-field");
            i = end < 0 ? text.size() : end;
        }
        fields.append(field);
        if (i >= text.size())
            break;
        ++i; // the ','
    }
    return fields;
}

// Go's strconv.ParseBool.
std::optional<bool> parseBool(const QString &value)
{
    static const QStringList yes{QStringLiteral("1"),    QStringLiteral("t"),    QStringLiteral("T"),
                                 QStringLiteral("TRUE"), QStringLiteral("true"), QStringLiteral("True")};
    static const QStringList no{QStringLiteral("0"),     QStringLiteral("f"),     QStringLiteral("F"),
                                QStringLiteral("FALSE"), QStringLiteral("false"), QStringLiteral("False")};
    if (yes.contains(value))
        return true;
    if (no.contains(value))
        return false;
    return std::nullopt;
}

// strconv.ParseUint(value, base, 32): digits only, no sign, at most 2^32-1.
std::optional<quint32> parseUint32(const QString &value, int base)
{
    if (value.isEmpty())
        return std::nullopt;
    quint64 result = 0;
    for (const QChar c : value) {
        const int digit = c.unicode() >= '0' && c.unicode() <= '9' ? c.unicode() - '0' : 99;
        if (digit >= base)
            return std::nullopt;
        result = result * quint64(base) + quint64(digit);
        if (result > 0xffffffffull)
            return std::nullopt;
    }
    return quint32(result);
}

// go-units RAMInBytes: "64m", "1.5GiB", "100" (binary multiples).
std::optional<qint64> ramInBytes(const QString &value)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+(\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$"));
    const QRegularExpressionMatch m = pattern.match(value);
    if (!m.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double size = m.captured(1).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    static const QString units = QStringLiteral("kmgtp");
    const qsizetype power = m.captured(3).isEmpty() ? 0 : units.indexOf(m.captured(3).toLower()) + 1;
    const long double bytes = (long double)size * std::pow(1024.0L, (long double)power);
    if (bytes >= 9.2e18L)
        return std::nullopt;
    return qint64(bytes);
}

Expected<MountType> mountType(const QString &value)
{
    const QString lower = value.toLower();
    if (lower == QLatin1String("bind"))
        return MountType::Bind;
    if (lower == QLatin1String("cache"))
        return MountType::Cache;
    if (lower == QLatin1String("tmpfs"))
        return MountType::Tmpfs;
    if (lower == QLatin1String("secret"))
        return MountType::Secret;
    if (lower == QLatin1String("ssh"))
        return MountType::Ssh;
    return fail(QStringLiteral("unsupported mount type \"%1\"").arg(value));
}

Expected<void> validate(const RunMount &m)
{
    const QString type = RunMount::typeName(m.type);
    const bool fileInfoAllowed =
        m.type == MountType::Secret || m.type == MountType::Ssh || m.type == MountType::Cache;
    if (!fileInfoAllowed) {
        if (m.mode)
            return fail(QStringLiteral("mode not allowed for \"%1\" type mounts").arg(type));
        if (m.uid)
            return fail(QStringLiteral("uid not allowed for \"%1\" type mounts").arg(type));
        if (m.gid)
            return fail(QStringLiteral("gid not allowed for \"%1\" type mounts").arg(type));
    }
    if (m.type == MountType::Secret) {
        if (!m.from.isEmpty())
            return fail(QStringLiteral("secret mount should not have a from"));
        if (m.sharingGiven)
            return fail(QStringLiteral("secret mount should not define sharing"));
        if (m.source.isEmpty() && m.target.isEmpty() && m.id.isEmpty())
            return fail(QStringLiteral("invalid secret mount. one of source, target required"));
        if (!m.source.isEmpty() && !m.id.isEmpty())
            return fail(QStringLiteral("both source and id can't be set"));
    }
    if (m.sharingGiven && m.type != MountType::Cache)
        return fail(QStringLiteral("invalid cache sharing set for %1 mount").arg(type));
    return {};
}

} // namespace

QString RunMount::typeName(MountType type)
{
    switch (type) {
    case MountType::Bind: return QStringLiteral("bind");
    case MountType::Cache: return QStringLiteral("cache");
    case MountType::Tmpfs: return QStringLiteral("tmpfs");
    case MountType::Secret: return QStringLiteral("secret");
    case MountType::Ssh: return QStringLiteral("ssh");
    }
    return {};
}

QString RunMount::sharingName(CacheSharing sharing)
{
    switch (sharing) {
    case CacheSharing::Shared: return QStringLiteral("shared");
    case CacheSharing::Private: return QStringLiteral("private");
    case CacheSharing::Locked: return QStringLiteral("locked");
    }
    return {};
}

Expected<RunMount> RunMount::parse(const QString &value, const Expander &expand)
{
    auto fields = csvFields(value);
    if (!fields)
        return std::unexpected(fields.error());
    RunMount m;
    bool readOnlyGiven = false;
    for (const QString &field : std::as_const(*fields)) {
        const qsizetype eq = field.indexOf(QLatin1Char('='));
        const QString key = (eq < 0 ? field : field.left(eq)).toLower();
        const QString type = typeName(m.type);
        if (eq < 0) {
            if (key == QLatin1String("readonly") || key == QLatin1String("ro")) {
                m.readOnly = true;
                readOnlyGiven = true;
            } else if (key == QLatin1String("readwrite") || key == QLatin1String("rw")) {
                m.readOnly = false;
                readOnlyGiven = true;
            } else if (key == QLatin1String("required")) {
                if (m.type != MountType::Secret && m.type != MountType::Ssh)
                    return fail(QStringLiteral("unexpected key '%1' for mount type '%2'").arg(key, type));
                m.required = true;
            } else {
                return fail(QStringLiteral("invalid field '%1' must be a key=value pair").arg(field));
            }
            continue;
        }
        // BuildKit reads `from` before any ARG is known, so a variable there is refused.
        static const QRegularExpression variable(QStringLiteral("\\$."));
        if (key == QLatin1String("from") && variable.match(field.mid(eq + 1)).hasMatch())
            return fail(
                QStringLiteral("'from' doesn't support variable expansion, define alias stage instead"));
        auto expanded = expand ? expand(field.mid(eq + 1)) : Expected<QString>(field.mid(eq + 1));
        if (!expanded)
            return std::unexpected(expanded.error());
        const QString v = *expanded;
        const auto invalidValue = [&] {
            return fail(QStringLiteral("invalid value for %1: %2").arg(key, v));
        };
        if (key == QLatin1String("type")) {
            auto t = mountType(v);
            if (!t)
                return std::unexpected(t.error());
            m.type = *t;
        } else if (key == QLatin1String("from")) {
            m.from = v;
        } else if (key == QLatin1String("source") || key == QLatin1String("src")) {
            m.source = v;
        } else if (key == QLatin1String("target") || key == QLatin1String("dst") ||
                   key == QLatin1String("destination")) {
            m.target = v;
        } else if (key == QLatin1String("readonly") || key == QLatin1String("ro") ||
                   key == QLatin1String("readwrite") || key == QLatin1String("rw")) {
            const auto b = parseBool(v);
            if (!b)
                return invalidValue();
            const bool readOnlyKey = key == QLatin1String("readonly") || key == QLatin1String("ro");
            m.readOnly = readOnlyKey ? *b : !*b;
            readOnlyGiven = true;
        } else if (key == QLatin1String("required")) {
            if (m.type != MountType::Secret && m.type != MountType::Ssh)
                return fail(QStringLiteral("unexpected key '%1' for mount type '%2'").arg(key, type));
            const auto b = parseBool(v);
            if (!b)
                return invalidValue();
            m.required = *b;
        } else if (key == QLatin1String("size")) {
            if (m.type != MountType::Tmpfs)
                return fail(QStringLiteral("unexpected key '%1' for mount type '%2'").arg(key, type));
            m.sizeLimit = ramInBytes(v);
            if (!m.sizeLimit)
                return invalidValue();
        } else if (key == QLatin1String("id")) {
            m.id = v;
        } else if (key == QLatin1String("sharing")) {
            const QString lower = v.toLower();
            if (lower == QLatin1String("shared"))
                m.sharing = CacheSharing::Shared;
            else if (lower == QLatin1String("private"))
                m.sharing = CacheSharing::Private;
            else if (lower == QLatin1String("locked"))
                m.sharing = CacheSharing::Locked;
            else
                return fail(QStringLiteral("unsupported sharing value \"%1\"").arg(v));
            m.sharingGiven = true;
        } else if (key == QLatin1String("mode") || key == QLatin1String("uid") ||
                   key == QLatin1String("gid")) {
            const auto number = parseUint32(v, key == QLatin1String("mode") ? 8 : 10);
            if (!number)
                return fail(QStringLiteral("invalid value %1 for %2").arg(v, key));
            (key == QLatin1String("mode") ? m.mode : key == QLatin1String("uid") ? m.uid : m.gid) = *number;
        } else if (key == QLatin1String("env")) {
            m.env = v;
        } else {
            return fail(QStringLiteral("unexpected key '%1' in '%2'").arg(key, field));
        }
    }
    if (!readOnlyGiven)
        m.readOnly = !(m.type == MountType::Cache || m.type == MountType::Tmpfs);
    if (auto valid = validate(m); !valid)
        return std::unexpected(valid.error());
    return m;
}

QString RunMount::effectiveId() const
{
    if (!id.isEmpty())
        return id;
    switch (type) {
    case MountType::Secret:
        return source.isEmpty() ? ContainerPath::clean(target).section(QLatin1Char('/'), -1) : source;
    case MountType::Ssh: return QStringLiteral("default");
    case MountType::Cache: return target;
    default: return {};
    }
}

Expected<QString> RunMount::resolvedTarget(const QString &workingDir, int sshIndex) const
{
    QString t = target;
    if (t.isEmpty() && type == MountType::Secret)
        t = QStringLiteral("/run/secrets/") + effectiveId().section(QLatin1Char('/'), -1);
    if (t.isEmpty() && type == MountType::Ssh)
        t = QStringLiteral("/run/buildkit/ssh_agent.%1").arg(sshIndex);
    const QString dir = workingDir.isEmpty() ? QStringLiteral("/") : workingDir;
    const QString resolved = ContainerPath::resolve(dir, t);
    if (resolved == QLatin1String("/"))
        return fail(QStringLiteral("invalid mount target \"%1\"").arg(resolved));
    return resolved;
}

} // namespace stagecraft
