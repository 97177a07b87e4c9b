#include "core/build/builder.h"

#include "core/build/layertree.h"
#include "core/context/buildcontext.h"
#include "core/context/pathglob.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/dockerfile/shelllex.h"
#include "core/exec/changeset.h"
#include "core/exec/idmap.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/fs/rootdirectory.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/plan/metaargs.h"
#include "core/plan/stagegraph.h"
#include "core/store/imagereference.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTimer>
#include <QUrl>

#include <archive.h>
#include <archive_entry.h>

#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace stagecraft {

namespace {

const QString kDefaultPath =
    QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
const QString kHistoryComment = QStringLiteral("buildkit.dockerfile.v0");

QString nowRfc3339()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

// Go's %q of a string, which BuildKit's history texts use.
QString goQuote(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QStringLiteral("\\\""); break;
        case '\\': out += QStringLiteral("\\\\"); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        default: out += c;
        }
    }
    return out + QLatin1Char('"');
}

QString goQuoteList(const QStringList &list)
{
    QStringList quoted;
    for (const QString &s : list)
        quoted.append(goQuote(s));
    return QLatin1Char('[') + quoted.join(QLatin1Char(' ')) + QLatin1Char(']');
}

QString goList(const QStringList &list)
{
    return QLatin1Char('[') + list.join(QLatin1Char(' ')) + QLatin1Char(']');
}

QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString envName(const QString &entry)
{
    return entry.section(QLatin1Char('='), 0, 0);
}

void setEnv(QStringList &env, const QString &name, const QString &value)
{
    for (QString &e : env) {
        if (envName(e) == name) {
            e = name + QLatin1Char('=') + value;
            return;
        }
    }
    env.append(name + QLatin1Char('=') + value);
}

QString locationOf(const QString &file, const SourceRange &range)
{
    return QStringLiteral("%1:%2:%3")
        .arg(QFileInfo(file).fileName())
        .arg(range.start.line)
        .arg(range.start.column);
}

// The state of a stage after a step: what the next step builds on.
struct StageState
{
    ImageConfig config;
    QList<Descriptor> layers;
    QString key; // cache chain key
};

struct StepOutcome
{
    Descriptor layer; // set when the step made a layer
    bool cached = false;
};

// Owner names of a stage rootfs, for --chown.
std::optional<qint64> lookupId(const LayerTree &tree, const QString &file, const QString &name)
{
    bool numeric = false;
    const qint64 n = name.toLongLong(&numeric);
    if (numeric)
        return n;
    const auto path = tree.find(file);
    if (!path)
        return std::nullopt;
    QFile f(*path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const QStringList fields = line.split(QLatin1Char(':'));
        if (fields.size() >= 3 && fields[0] == name)
            return fields[2].toLongLong();
    }
    return std::nullopt;
}

// Go's time.Duration.String(), which BuildKit's HEALTHCHECK history text prints.
QString goDuration(qint64 ns)
{
    if (ns == 0)
        return QStringLiteral("0s");
    const bool negative = ns < 0;
    const quint64 u = negative ? quint64(-(ns + 1)) + 1 : quint64(ns);
    const auto withFraction = [](quint64 whole, quint64 fraction, int digits) {
        QString s = QString::number(whole);
        if (fraction != 0) {
            QString f = QString::number(fraction).rightJustified(digits, QLatin1Char('0'));
            while (f.endsWith(QLatin1Char('0')))
                f.chop(1);
            s += QLatin1Char('.') + f;
        }
        return s;
    };
    QString out;
    if (u < 1000) {
        out = QString::number(u) + QStringLiteral("ns");
    } else if (u < 1000000) {
        out = withFraction(u / 1000, u % 1000, 3) + QStringLiteral("\u00b5s");
    } else if (u < 1000000000) {
        out = withFraction(u / 1000000, u % 1000000, 6) + QStringLiteral("ms");
    } else {
        const quint64 seconds = u / 1000000000;
        out = withFraction(seconds % 60, u % 1000000000, 9) + QLatin1Char('s');
        const quint64 minutes = seconds / 60;
        if (minutes > 0) {
            out = QString::number(minutes % 60) + QLatin1Char('m') + out;
            if (minutes / 60 > 0)
                out = QString::number(minutes / 60) + QLatin1Char('h') + out;
        }
    }
    return negative ? QLatin1Char('-') + out : out;
}

// Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "0".
std::optional<qint64> parseGoDuration(const QString &text)
{
    QString s = text;
    bool negative = false;
    if (s.startsWith(QLatin1Char('-')) || s.startsWith(QLatin1Char('+'))) {
        negative = s.startsWith(QLatin1Char('-'));
        s = s.mid(1);
    }
    if (s == QLatin1String("0"))
        return 0;
    static const QRegularExpression part(
        QStringLiteral("^([0-9]*)(\\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)"));
    if (s.isEmpty())
        return std::nullopt;
    long double total = 0;
    while (!s.isEmpty()) {
        const QRegularExpressionMatch m = part.match(s);
        if (!m.hasMatch() || (m.captured(1).isEmpty() && m.captured(3).isEmpty()))
            return std::nullopt;
        const QString unit = m.captured(4);
        long double scale = 1;
        if (unit == QLatin1String("us") || unit == QStringLiteral("\u00b5s") ||
            unit == QStringLiteral("\u03bcs"))
            scale = 1e3L;
        else if (unit == QLatin1String("ms"))
            scale = 1e6L;
        else if (unit == QLatin1String("s"))
            scale = 1e9L;
        else if (unit == QLatin1String("m"))
            scale = 60e9L;
        else if (unit == QLatin1String("h"))
            scale = 3600e9L;
        const long double value =
            (m.captured(1).isEmpty() ? 0.0L : m.captured(1).toDouble()) +
            (m.captured(3).isEmpty() ? 0.0L : QString(QStringLiteral("0.") + m.captured(3)).toDouble());
        total += value * scale;
        if (total > 9.2e18L)
            return std::nullopt;
        s = s.mid(m.capturedLength());
    }
    const qint64 ns = qint64(total + 0.5L);
    return negative ? -ns : ns;
}

// Go's %q of a small integer (strconv.QuoteRune), as BuildKit prints HEALTHCHECK retries.
QString goQuoteRune(qint64 value)
{
    switch (value) {
    case 7: return QStringLiteral("'\\a'");
    case 8: return QStringLiteral("'\\b'");
    case 9: return QStringLiteral("'\\t'");
    case 10: return QStringLiteral("'\\n'");
    case 11: return QStringLiteral("'\\v'");
    case 12: return QStringLiteral("'\\f'");
    case 13: return QStringLiteral("'\\r'");
    case '\'': return QStringLiteral("'\\''");
    case '\\': return QStringLiteral("'\\\\'");
    default: break;
    }
    if (value >= 0x20 && value < 0x7f)
        return QLatin1Char('\'') + QChar(char16_t(value)) + QLatin1Char('\'');
    if (value >= 0 && value < 0x80)
        return QStringLiteral("'\\x%1'").arg(value, 2, 16, QLatin1Char('0'));
    if (value >= 0 && value <= 0x10ffff && !(value >= 0xd800 && value < 0xe000)) {
        const char32_t c = char32_t(value);
        return QLatin1Char('\'') + QString::fromUcs4(&c, 1) + QLatin1Char('\'');
    }
    return QStringLiteral("'\\ufffd'");
}

// A path inside an archive or a stage cleaned to "a/b" form; nothing when it climbs out.
std::optional<QString> cleanInside(const QString &path)
{
    QStringList parts;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (parts.isEmpty())
                return std::nullopt;
            parts.removeLast();
            continue;
        }
        parts.append(part);
    }
    return parts.join(QLatin1Char('/'));
}

// Opens `path` as a tar archive (plain, gzip, bzip2, xz or zstd, told apart by content
// as Docker does); nullptr when it is not one. The caller frees the handle.
struct archive *openTarArchive(const QString &path)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, QFile::encodeName(path).constData(), 64 * 1024) != ARCHIVE_OK) {
        archive_read_free(a);
        return nullptr;
    }
    return a;
}

bool isTarArchive(const QString &path)
{
    struct archive *a = openTarArchive(path);
    if (!a)
        return false;
    struct archive_entry *entry = nullptr;
    // Docker's rule: an archive is what yields a first tar header; an empty one is a file.
    const int r = archive_read_next_header(a, &entry);
    archive_read_free(a);
    return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

// Reads the archive `path` as the entries ADD extracts below `destRel`; file contents go
// to numbered files in `scratchDir`.
Expected<QList<LayerSourceEntry>> archiveEntries(const QString &path, const QString &source,
                                                 const QString &destRel, const QString &scratchDir,
                                                 const CancellationToken &cancel)
{
    struct archive *a = openTarArchive(path);
    if (!a)
        return fail(QStringLiteral("ADD %1: cannot open the archive").arg(source));
    const auto cleanup = qScopeGuard([a] { archive_read_free(a); });
    const auto join = [](const QString &dir, const QString &name) {
        return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + QLatin1Char('/') + name;
    };
    QList<LayerSourceEntry> out;
    static std::atomic_int counter{0};
    // An archive from the context is as hostile as a layer: the same bounds, on what its
    // headers declare, before anything is written (a sparse entry would be written out
    // as zeros here).
    const ExtractOptions bounds;
    const qint64 archiveSize = QFileInfo(path).size();
    const qint64 byRatio = archiveSize > std::numeric_limits<qint64>::max() / bounds.maxExpansionRatio
                               ? std::numeric_limits<qint64>::max()
                               : archiveSize * bounds.maxExpansionRatio;
    const qint64 allowed = std::min(bounds.maxTotalSize, std::max(bounds.expansionAllowance, byRatio));
    qint64 declared = 0;
    qint64 entries = 0;
    while (true) {
        if (cancel.isCancelled())
            return fail(QStringLiteral("build cancelled"));
        struct archive_entry *entry = nullptr;
        const int r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return fail(QStringLiteral("ADD %1: the archive is damaged: %2")
                            .arg(source, QString::fromLocal8Bit(archive_error_string(a))));
        const char *rawName = archive_entry_pathname(entry);
        const QString name = QString::fromUtf8(rawName ? rawName : "");
        if (++entries > bounds.maxEntries)
            return fail(
                QStringLiteral("ADD %1: more than %2 archive members").arg(source).arg(bounds.maxEntries));
        if (archive_entry_filetype(entry) == AE_IFREG) {
            const qint64 size = archive_entry_size(entry);
            declared += std::max<qint64>(size, 0);
            if (size < 0 || size > bounds.maxFileSize || declared > allowed)
                return fail(
                    QStringLiteral("ADD %1: the archive member \"%2\" brings the contents to %3 bytes from "
                                   "a %4-byte archive, more than the %5 allowed (a decompression or "
                                   "sparse-file bomb)")
                        .arg(source, name)
                        .arg(declared)
                        .arg(archiveSize)
                        .arg(allowed));
        }
        const auto inside = cleanInside(name);
        if (!inside)
            return fail(QStringLiteral("ADD %1: the archive member \"%2\" points outside the destination")
                            .arg(source, name));
        LayerSourceEntry e;
        e.entry.path = join(destRel, *inside);
        if (e.entry.path.isEmpty())
            continue;
        e.entry.mode = archive_entry_perm(entry) & 07777;
        e.entry.uid = archive_entry_uid(entry);
        e.entry.gid = archive_entry_gid(entry);
        e.entry.mtime = archive_entry_mtime(entry);
        if (const char *hardlink = archive_entry_hardlink(entry)) {
            const auto target = cleanInside(QString::fromUtf8(hardlink));
            if (!target || target->isEmpty())
                return fail(QStringLiteral("ADD %1: the archive member \"%2\" links outside the destination")
                                .arg(source, name));
            e.entry.type = EntryType::Hardlink;
            e.entry.linkTarget = join(destRel, *target);
            out.append(e);
            continue;
        }
        switch (archive_entry_filetype(entry)) {
        case AE_IFDIR:
            if (*inside == QString())
                continue;
            e.entry.type = EntryType::Directory;
            break;
        case AE_IFLNK:
            e.entry.type = EntryType::Symlink;
            e.entry.linkTarget = QString::fromUtf8(archive_entry_symlink(entry));
            break;
        case AE_IFCHR:
        case AE_IFBLK:
            e.entry.type =
                archive_entry_filetype(entry) == AE_IFCHR ? EntryType::CharDevice : EntryType::BlockDevice;
            e.entry.deviceMajor = archive_entry_rdevmajor(entry);
            e.entry.deviceMinor = archive_entry_rdevminor(entry);
            break;
        case AE_IFIFO: e.entry.type = EntryType::Fifo; break;
        case AE_IFREG: {
            e.entry.type = EntryType::File;
            e.sourcePath = scratchDir + QStringLiteral("/archive-") + QString::number(++counter);
            QFile file(e.sourcePath);
            if (!file.open(QIODevice::WriteOnly))
                return fail(QStringLiteral("ADD %1: cannot write %2: %3")
                                .arg(source, e.sourcePath, file.errorString()));
            char buffer[64 * 1024];
            qint64 total = 0;
            while (true) {
                const la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
                if (n < 0)
                    return fail(QStringLiteral("ADD %1: the archive is damaged at \"%2\": %3")
                                    .arg(source, name, QString::fromLocal8Bit(archive_error_string(a))));
                if (n == 0)
                    break;
                if (file.write(buffer, n) != n)
                    return fail(QStringLiteral("ADD %1: cannot write %2: %3")
                                    .arg(source, e.sourcePath, file.errorString()));
                total += n;
            }
            e.entry.size = total;
            break;
        }
        default: continue; // sockets have no place in a layer
        }
        out.append(e);
    }
    return out;
}

struct Download
{
    QString fileName; // from Content-Disposition or the URL's last path segment
    QString digest;   // "sha256:<hex>"
    qint64 size = 0;
    std::optional<qint64> lastModified;
};

// Fetches `url` into `path` on the calling (worker) thread, following redirects.
Expected<Download> download(const QUrl &url, const QString &path, const CancellationToken &cancel)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("stagecraft"));
    std::unique_ptr<QNetworkReply> reply(manager.get(request));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    qint64 size = 0;
    bool writeFailed = false;
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
        const QByteArray data = reply->readAll();
        hash.addData(data);
        size += data.size();
        if (file.write(data) != data.size())
            writeFailed = true;
    });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled() || writeFailed)
            reply->abort();
    });
    poll.start(50);
    if (!reply->isFinished())
        loop.exec();
    const QByteArray rest = reply->readAll();
    hash.addData(rest);
    size += rest.size();
    if (file.write(rest) != rest.size())
        writeFailed = true;
    if (cancel.isCancelled())
        return fail(QStringLiteral("build cancelled"));
    if (writeFailed)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status >= 400)
        return fail(
            QStringLiteral("cannot download %1: %2")
                .arg(url.toDisplayString(),
                     status >= 400
                         ? QStringLiteral("the server answered %1 %2")
                               .arg(status)
                               .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())
                         : reply->errorString()));
    Download d;
    d.size = size;
    d.digest = QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
    const QDateTime modified = reply->header(QNetworkRequest::LastModifiedHeader).toDateTime();
    if (modified.isValid())
        d.lastModified = modified.toSecsSinceEpoch();
    static const QRegularExpression disposition(QStringLiteral("filename=\"?([^\";]+)\"?"));
    const QRegularExpressionMatch m =
        disposition.match(QString::fromUtf8(reply->rawHeader(QByteArrayLiteral("Content-Disposition"))));
    const QUrl finalUrl = reply->url();
    d.fileName =
        m.hasMatch() ? QFileInfo(m.captured(1)).fileName() : finalUrl.path().section(QLatin1Char('/'), -1);
    if (d.fileName.isEmpty() || d.fileName == QLatin1String(".") || d.fileName == QLatin1String(".."))
        d.fileName = QStringLiteral("__unnamed__");
    return d;
}

// The stage-relative paths a COPY --from source names: globs expanded component by
// component over the stage's tree (Go filepath.Match per component), sorted.
QStringList expandTreeGlob(const LayerTree &tree, const QString &pattern)
{
    QStringList current{QString()};
    for (const QString &part : pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        QStringList next;
        for (const QString &dir : std::as_const(current)) {
            const QString base = tree.resolveParents(dir);
            if (!PathGlob::hasMeta(part)) {
                const QString candidate = base.isEmpty() ? part : base + QLatin1Char('/') + part;
                if (tree.find(tree.resolveParents(candidate)))
                    next.append(candidate);
                continue;
            }
            if (!base.isEmpty() && !tree.isDirectory(base))
                continue;
            for (const QString &name : tree.list(base))
                if (PathGlob::match(part, name) == PathGlob::Result::Match)
                    next.append(base.isEmpty() ? name : base + QLatin1Char('/') + name);
        }
        current = next;
    }
    current.removeAll(QString());
    current.sort();
    return current;
}

class BuildRun
{
public:
    BuildRun(Builder &builder, const BuildRequest &request, const BuildEventSink &sink,
             const CancellationToken &cancel)
        : m_builder(builder)
        , m_request(request)
        , m_sink(sink)
        , m_userCancel(cancel)
    {}

    Expected<BuildResult> run();

private:
    Expected<StageState> buildStage(int index);
    Expected<void> runStep(int stageIndex, const Instruction &ins, int step, int stepCount, StageState &state,
                           QHash<QString, QString> &args, QStringList &argOrder, bool &cmdSet);
    Expected<void> runCommand(const Instruction &ins, StageState &state, const QHash<QString, QString> &args,
                              const QStringList &argOrder, const BuildEvent &base, QString *createdBy);
    Expected<QList<LayerSourceEntry>> copyEntries(const Instruction &ins, const StageState &state,
                                                  const QHash<QString, QString> &env,
                                                  const QString &scratchDir, const BuildEvent &base,
                                                  QString *createdBy, QString *keyExtra);
    Expected<Image> imageFor(const QString &reference, const QString &what, const BuildEvent &base);
    Expected<QStringList> lowerDirs(const StageState &state) const;
    Expected<WrittenLayer> writeLayer(QList<LayerSourceEntry> entries);
    bool loadCache(const QString &key, StageState &state) const;
    void saveCache(const QString &key, const StageState &state) const;
    void emitEvent(const BuildEvent &event);
    QHash<QString, QString> expansionEnv(const StageState &state, const QHash<QString, QString> &args) const;
    QString expand(const QString &word, const QHash<QString, QString> &env, QString *error = nullptr) const;
    // A heredoc body with an unquoted delimiter: variables expand, but quotes and escapes
    // stay as written (BuildKit's raw mode), so `import "fmt"` keeps its quotes.
    QString expandHeredoc(const QString &body, const QHash<QString, QString> &env,
                          QString *error = nullptr) const;
    void addHistory(StageState &state, const QString &createdBy, bool emptyLayer) const;

    Builder &m_builder;
    const BuildRequest &m_request;
    const BuildEventSink &m_sink;
    // What the steps poll: cancelled by the caller's token (relayed by a watcher) or when
    // a stage fails, so sibling stages stop too.
    CancellationToken m_userCancel;
    CancellationToken m_cancel;
    std::mutex m_pullMutex;
    std::mutex m_sinkMutex;
    QSet<QString> m_warnings; // said already (under m_sinkMutex)
    std::mutex m_resultMutex;
    QString m_dockerfilePath;
    Dockerfile m_dockerfile;
    StageGraph m_graph;
    std::optional<BuildContext> m_context;
    QHash<QString, QString> m_metaEnv;
    QList<std::optional<StageState>> m_results;
    std::atomic_int m_steps{0};
    std::atomic_int m_cached{0};
};

void BuildRun::emitEvent(const BuildEvent &event)
{
    if (!m_sink)
        return;
    std::lock_guard lock(m_sinkMutex);
    if (event.kind == BuildEventKind::BuildWarning) {
        if (m_warnings.contains(event.text))
            return;
        m_warnings.insert(event.text);
    }
    m_sink(event);
}

QHash<QString, QString> BuildRun::expansionEnv(const StageState &state,
                                               const QHash<QString, QString> &args) const
{
    QHash<QString, QString> env = args;
    for (const QString &e : state.config.config.env)
        env.insert(envName(e), e.section(QLatin1Char('='), 1));
    return env;
}

QString BuildRun::expand(const QString &word, const QHash<QString, QString> &env, QString *error) const
{
    ShellLex lex(m_dockerfile.directives.escape);
    const ShellResult r = lex.processWord(word, env);
    if (!r.ok()) {
        if (error)
            *error = r.error;
        return word;
    }
    return r.value;
}

QString BuildRun::expandHeredoc(const QString &body, const QHash<QString, QString> &env, QString *error) const
{
    ShellLex lex(m_dockerfile.directives.escape);
    lex.setRawQuotes(true);
    lex.setRawEscapes(true);
    const ShellResult r = lex.processWord(body, env);
    if (!r.ok()) {
        if (error)
            *error = r.error;
        return body;
    }
    return r.value;
}

void BuildRun::addHistory(StageState &state, const QString &createdBy, bool emptyLayer) const
{
    HistoryEntry h;
    h.created = nowRfc3339();
    h.createdBy = createdBy;
    h.comment = kHistoryComment;
    h.emptyLayer = emptyLayer;
    state.config.history.append(h);
    state.config.created = h.created;
}

bool BuildRun::loadCache(const QString &key, StageState &state) const
{
    if (m_request.noCache)
        return false;
    QFile f(m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + key +
            QStringLiteral(".json"));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    auto config = ImageConfig::parse(
        QJsonDocument(o.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact));
    if (!config)
        return false;
    QList<Descriptor> layers;
    for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray()) {
        auto d = Descriptor::fromJson(v.toObject());
        if (!d || !m_builder.store().hasBlob(d->digest))
            return false;
        layers.append(*d);
    }
    if (layers.size() != config->diffIds.size())
        return false;
    state.config = *config;
    state.layers = layers;
    state.key = key;
    return true;
}

void BuildRun::saveCache(const QString &key, const StageState &state) const
{
    QJsonArray layers;
    for (const Descriptor &d : state.layers)
        layers.append(d.toJson());
    QJsonObject o;
    o.insert(QStringLiteral("config"), state.config.toJsonObject());
    o.insert(QStringLiteral("layers"), layers);
    // Written atomically: a killed build never leaves a half entry behind.
    QSaveFile f(m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + key +
                QStringLiteral(".json"));
    if (f.open(QIODevice::WriteOnly)) {
        f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        f.commit();
    }
}

Expected<QStringList> BuildRun::lowerDirs(const StageState &state) const
{
    QStringList dirs;
    for (qsizetype i = 0; i < state.layers.size(); ++i) {
        auto dir = m_builder.layerDirectory(state.layers[i], state.config.diffIds.value(i), m_cancel);
        if (!dir)
            return std::unexpected(dir.error());
        dirs.append(*dir);
    }
    return dirs;
}

Expected<WrittenLayer> BuildRun::writeLayer(QList<LayerSourceEntry> entries)
{
    QTemporaryFile file(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/layer-XXXXXX"));
    if (!file.open())
        return fail(QStringLiteral("cannot create a temporary layer file: %1").arg(file.errorString()));
    LayerWriteOptions options;
    auto written = LayerWriter::write(std::move(entries), &file, options, m_cancel);
    if (!written)
        return std::unexpected(written.error());
    file.flush();
    file.seek(0);
    ImageStore store = m_builder.store();
    auto put = store.putBlob(&file, written->digest, written->size);
    if (!put)
        return std::unexpected(put.error());
    return *written;
}

Expected<BuildResult> BuildRun::run()
{
    QElapsedTimer timer;
    timer.start();
    m_dockerfilePath = m_request.dockerfile.isEmpty() ? m_request.contextDir + QStringLiteral("/Dockerfile")
                                                      : m_request.dockerfile;
    QFile file(m_dockerfilePath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(m_dockerfilePath, file.errorString()));
    const QString text = QString::fromUtf8(file.readAll());
    m_dockerfile = DockerfileParser::parse(text);
    for (const Diagnostic &d : m_dockerfile.diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, d.range), d.message));
    PlanOptions options;
    options.target = m_request.target;
    options.buildArgs = m_request.buildArgs;
    options.platform = m_request.platform;
    m_graph = StageGraph::fromDockerfile(m_dockerfile, options);
    for (const Diagnostic &d : m_graph.diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, d.range), d.message));
    if (m_graph.target < 0)
        return fail(QStringLiteral("%1: the Dockerfile has no stage to build").arg(m_dockerfilePath));

    auto context = BuildContext::open(m_request.contextDir, m_dockerfilePath);
    if (!context)
        return std::unexpected(context.error());
    m_context = std::move(*context);

    MetaArgs meta(options);
    for (const Instruction &ins : m_dockerfile.instructions) {
        if (ins.kind == InstructionKind::From)
            break;
        if (ins.kind == InstructionKind::Arg)
            meta.declare(ins, m_dockerfile.directives.escape);
    }
    m_metaEnv = meta.environment();

    m_results.resize(m_graph.stages.size());
    for (const QList<int> &level : m_graph.levels)
        for (int index : level) {
            BuildEvent e;
            e.kind = BuildEventKind::StageQueued;
            e.stage = index;
            e.stageName = m_graph.stages[index].displayName();
            e.stepCount = m_graph.stages[index].stepCount + 1;
            e.range = m_graph.stages[index].range;
            emitEvent(e);
        }

    // Relays the caller's cancellation to m_cancel, which a failing stage also trips.
    std::atomic_bool finished{false};
    std::thread watcher([this, &finished] {
        while (!finished) {
            if (m_userCancel.isCancelled()) {
                m_cancel.cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    const auto stopWatcher = qScopeGuard([&] {
        finished = true;
        watcher.join();
    });

    const QString cancelled = QStringLiteral("build cancelled");
    for (const QList<int> &level : m_graph.levels) {
        QList<std::optional<Error>> errors(level.size());
        std::vector<std::thread> threads;
        for (qsizetype i = 0; i < level.size(); ++i) {
            threads.emplace_back([this, &level, &errors, i] {
                auto result = buildStage(level[i]);
                std::lock_guard lock(m_resultMutex);
                if (result) {
                    m_results[level[i]] = std::move(*result);
                } else {
                    errors[i] = result.error();
                    // One failed stage fails the build: stop the siblings still running.
                    m_cancel.cancel();
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        std::optional<Error> failure;
        for (const auto &error : errors) {
            if (error && (!failure || failure->message == cancelled))
                failure = error;
        }
        if (failure) {
            if (m_userCancel.isCancelled())
                failure = Error(cancelled);
            BuildEvent e;
            e.kind = BuildEventKind::BuildFailed;
            e.text = failure->message;
            emitEvent(e);
            return std::unexpected(*failure);
        }
    }

    StageState final = *m_results[m_graph.target];
    ImageStore store = m_builder.store();
    auto configDescriptor = store.putBlob(final.config.toJson(), QString(mediatype::OciConfig));
    if (!configDescriptor)
        return std::unexpected(configDescriptor.error());
    ImageManifest manifest;
    manifest.mediaType = QString(mediatype::OciManifest);
    manifest.config = *configDescriptor;
    manifest.layers = final.layers;
    auto manifestDescriptor = store.putBlob(manifest.toJson(), QString(mediatype::OciManifest));
    if (!manifestDescriptor)
        return std::unexpected(manifestDescriptor.error());
    BuildResult result;
    // References are written last: the blobs they name are complete by now.
    for (const QString &tag : m_request.tags) {
        auto normalised = ImageReference::normalise(tag);
        if (!normalised)
            return std::unexpected(normalised.error());
        auto tagged = store.tag(*normalised, *manifestDescriptor);
        if (!tagged)
            return std::unexpected(tagged.error());
        result.tags.append(*normalised);
    }
    result.manifest = *manifestDescriptor;
    result.imageId = configDescriptor->digest;
    result.steps = m_steps;
    result.cachedSteps = m_cached;
    result.durationMs = timer.elapsed();
    BuildEvent done;
    done.kind = BuildEventKind::BuildDone;
    done.text = result.imageId.toString();
    done.durationMs = result.durationMs;
    emitEvent(done);
    return result;
}

Expected<Image> BuildRun::imageFor(const QString &reference, const QString &what, const BuildEvent &base)
{
    auto image = m_builder.store().image(reference);
    if (image)
        return image;
    if (!m_request.pullMissingImage)
        return fail(QStringLiteral("%1 \"%2\" is not in the store %3: get it with `stagecraft pull %2`, or "
                                   "import it with `stagecraft import FILE -t %2` (a docker save tarball or "
                                   "an OCI layout)")
                        .arg(what, reference, m_builder.store().root()));
    // One pull at a time: two stages on the same missing base fetch it once.
    std::lock_guard lock(m_pullMutex);
    image = m_builder.store().image(reference);
    if (image)
        return image;
    BuildEvent e = base; // the pull shows as output of the step that needs the image
    e.kind = BuildEventKind::StepLog;
    e.text = QStringLiteral("pulling %1").arg(reference);
    emitEvent(e);
    auto pulled = m_request.pullMissingImage(reference, m_cancel);
    if (m_cancel.isCancelled())
        return fail(QStringLiteral("build cancelled"));
    if (!pulled)
        return fail(QStringLiteral("%1 \"%2\" is not in the store and pulling it failed: %3")
                        .arg(what, reference, pulled.error().message));
    image = m_builder.store().image(reference);
    if (!image)
        return fail(QStringLiteral("%1 \"%2\" is still not in the store after pulling it: %3")
                        .arg(what, reference, image.error().message));
    e.text = QStringLiteral("pulled %1").arg(reference);
    emitEvent(e);
    return image;
}

Expected<StageState> BuildRun::buildStage(int index)
{
    const Stage &stage = m_graph.stages[index];
    QElapsedTimer timer;
    timer.start();
    BuildEvent base;
    base.stage = index;
    base.stageName = stage.displayName();
    base.stepCount = stage.stepCount + 1;
    const auto failStage = [&](const Error &error) -> Expected<StageState> {
        BuildEvent e = base;
        e.kind = BuildEventKind::StageFailed;
        e.text = error.message;
        emitEvent(e);
        return std::unexpected(error);
    };
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StageStarted;
        e.range = stage.range;
        emitEvent(e);
    }
    StageState state;
    QList<Instruction> triggers;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        e.text = m_dockerfile.instructions.value(stage.fromInstruction).original;
        emitEvent(e);
    }
    if (stage.baseStage >= 0) {
        std::lock_guard lock(m_resultMutex);
        if (!m_results[stage.baseStage])
            return failStage(Error(QStringLiteral("stage %1 was not built").arg(stage.base)));
        state = *m_results[stage.baseStage];
    } else if (stage.isScratch()) {
        QString os, arch, variant;
        MetaArgs::splitPlatform(stage.platform.isEmpty() ? m_request.platform : stage.platform, &os, &arch,
                                &variant);
        state.config.os = os;
        state.config.architecture = arch;
        state.config.variant = variant;
        state.config.config.workingDir = QStringLiteral("/"); // as BuildKit's empty image has it
        state.key = sha256Hex(QStringLiteral("scratch\n") + os + arch + variant);
    } else {
        auto ref = ImageReference::normalise(stage.base);
        if (!ref)
            return failStage(Error(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, stage.fromRange),
                                                                ref.error().message)));
        BuildEvent from = base;
        from.instruction = stage.fromInstruction;
        from.range = stage.fromRange;
        auto image = imageFor(*ref, QStringLiteral("base image"), from);
        if (!image) {
            if (image.error().message == QLatin1String("build cancelled"))
                return failStage(image.error());
            return failStage(Error(QStringLiteral("%1: stage \"%2\": %3")
                                       .arg(locationOf(m_dockerfilePath, stage.fromRange),
                                            stage.displayName(), image.error().message)));
        }
        state.config = image->config;
        for (const ImageLayer &layer : image->layers)
            state.layers.append(layer.descriptor);
        state.key = sha256Hex(QStringLiteral("image\n") + image->manifestDescriptor.digest.toString());
        for (const QString &trigger : state.config.config.onBuild) {
            const Dockerfile parsed = DockerfileParser::parse(trigger);
            for (const Instruction &ins : parsed.instructions)
                triggers.append(ins);
        }
        state.config.config.onBuild.clear();
    }
    bool hasPath = false;
    for (const QString &e : state.config.config.env)
        hasPath = hasPath || envName(e) == QLatin1String("PATH");
    if (!hasPath)
        state.config.config.env.prepend(kDefaultPath);
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepDone;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        emitEvent(e);
    }

    QHash<QString, QString> args;
    QStringList argOrder;
    bool cmdSet = false;
    int step = 0;
    for (const Instruction &ins : std::as_const(triggers)) {
        auto done = runStep(index, ins, 0, base.stepCount, state, args, argOrder, cmdSet);
        if (!done)
            return failStage(done.error());
    }
    for (int i = stage.fromInstruction + 1; i <= stage.lastInstruction; ++i) {
        ++step;
        if (m_cancel.isCancelled())
            return failStage(Error(QStringLiteral("build cancelled")));
        auto done =
            runStep(index, m_dockerfile.instructions[i], step, base.stepCount, state, args, argOrder, cmdSet);
        if (!done) {
            Error error = done.error();
            if (error.message != QLatin1String("build cancelled"))
                error.message = locationOf(m_dockerfilePath, m_dockerfile.instructions[i].range) +
                                QStringLiteral(": stage \"%1\": ").arg(stage.displayName()) + error.message;
            return failStage(error);
        }
    }
    BuildEvent e = base;
    e.kind = BuildEventKind::StageDone;
    e.durationMs = timer.elapsed();
    emitEvent(e);
    return state;
}

Expected<void> BuildRun::runStep(int stageIndex, const Instruction &ins, int step, int stepCount,
                                 StageState &state, QHash<QString, QString> &args, QStringList &argOrder,
                                 bool &cmdSet)
{
    QElapsedTimer timer;
    timer.start();
    BuildEvent base;
    base.stage = stageIndex;
    base.stageName = m_graph.stages[stageIndex].displayName();
    base.step = step;
    base.stepCount = stepCount;
    base.instruction = int(&ins - m_dockerfile.instructions.constData());
    if (base.instruction < 0 || base.instruction >= m_dockerfile.instructions.size())
        base.instruction = -1;
    base.range = ins.range;
    base.text = ins.original;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        emitEvent(e);
    }
    ++m_steps;
    const QHash<QString, QString> env = expansionEnv(state, args);
    QString error;
    const auto words = [&] {
        QStringList out;
        for (const Word &w : ins.args)
            out.append(w.text);
        return out;
    };
    QString createdBy;
    bool makesLayer = false;
    QString keyExtra;
    QList<LayerSourceEntry> copied;
    std::optional<QTemporaryDir> scratch; // downloads and extracted archive members of COPY/ADD
    bool linked = false;                  // COPY/ADD --link: a layer independent of the ones below
    StageState next = state;
    ContainerConfig &config = next.config.config;

    switch (ins.kind) {
    case InstructionKind::Arg:
        for (const KeyValue &kv : ins.pairs) {
            std::optional<QString> value;
            if (m_request.buildArgs.contains(kv.key))
                value = m_request.buildArgs.value(kv.key);
            else if (kv.hasEquals)
                value = expand(kv.value, env, &error);
            else if (m_metaEnv.contains(kv.key))
                value = m_metaEnv.value(kv.key);
            if (value) {
                args.insert(kv.key, *value);
                if (!argOrder.contains(kv.key))
                    argOrder.append(kv.key);
            }
        }
        if (!error.isEmpty())
            return fail(error);
        {
            BuildEvent e = base;
            e.kind = BuildEventKind::StepDone;
            e.durationMs = timer.elapsed();
            emitEvent(e);
        }
        return {};
    case InstructionKind::Env: {
        QStringList parts;
        QHash<QString, QString> running = env;
        for (const KeyValue &kv : ins.pairs) {
            const QString value = expand(kv.value, running, &error);
            setEnv(config.env, kv.key, value);
            running.insert(kv.key, value);
            parts.append(kv.key + QLatin1Char('=') + value);
        }
        createdBy = QStringLiteral("ENV ") + parts.join(QLatin1Char(' '));
        break;
    }
    case InstructionKind::Label: {
        QStringList parts;
        for (const KeyValue &kv : ins.pairs) {
            const QString key = expand(kv.key, env, &error);
            const QString value = expand(kv.value, env, &error);
            config.labels.insert(key, value);
            parts.append(key + QLatin1Char('=') + value);
        }
        createdBy = QStringLiteral("LABEL ") + parts.join(QLatin1Char(' '));
        break;
    }
    case InstructionKind::Maintainer:
        next.config.author = words().join(QLatin1Char(' '));
        createdBy = QStringLiteral("MAINTAINER ") + next.config.author;
        break;
    case InstructionKind::Expose: {
        QStringList ports;
        for (const QString &w : words()) {
            QString port = expand(w, env, &error);
            if (!port.contains(QLatin1Char('/')))
                port += QStringLiteral("/tcp");
            ports.append(port);
            if (!config.exposedPorts.contains(port))
                config.exposedPorts.append(port);
        }
        createdBy = QStringLiteral("EXPOSE ") + goList(ports);
        break;
    }
    case InstructionKind::Volume: {
        QStringList volumes;
        for (const QString &w : words()) {
            const QString v = expand(w, env, &error);
            volumes.append(v);
            if (!config.volumes.contains(v))
                config.volumes.append(v);
        }
        createdBy = QStringLiteral("VOLUME ") + goList(volumes);
        break;
    }
    case InstructionKind::User:
        config.user = expand(words().value(0), env, &error);
        createdBy = QStringLiteral("USER ") + config.user;
        break;
    case InstructionKind::Stopsignal:
        config.stopSignal = expand(words().value(0), env, &error);
        createdBy = QStringLiteral("STOPSIGNAL ") + config.stopSignal;
        break;
    case InstructionKind::Shell:
        config.shell = words();
        createdBy = QStringLiteral("SHELL ") + goList(config.shell);
        break;
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint: {
        QStringList list = words();
        if (!ins.jsonForm) {
            const QStringList shell = config.shell.isEmpty()
                                          ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                          : config.shell;
            list = shell + QStringList{words().join(QLatin1Char(' '))};
        }
        if (ins.kind == InstructionKind::Cmd) {
            config.cmd = list;
            cmdSet = true;
            createdBy = QStringLiteral("CMD ") + goQuoteList(list);
        } else {
            config.entrypoint = list;
            if (!cmdSet)
                config.cmd.clear();
            createdBy = QStringLiteral("ENTRYPOINT ") + goQuoteList(list);
        }
        break;
    }
    case InstructionKind::Healthcheck: {
        const QStringList w = words();
        QJsonObject check;
        QJsonArray test;
        qint64 durations[4] = {0, 0, 0, 0};
        qint64 retries = 0;
        if (!w.isEmpty() && w.first().compare(QLatin1String("NONE"), Qt::CaseInsensitive) == 0) {
            test.append(QStringLiteral("NONE"));
        } else {
            const QStringList rest = w.mid(1);
            if (ins.jsonForm) {
                test.append(QStringLiteral("CMD"));
                for (const QString &s : rest)
                    test.append(s);
            } else {
                test.append(QStringLiteral("CMD-SHELL"));
                test.append(rest.join(QLatin1Char(' ')));
            }
            // Docker's options, written as nanoseconds and left out when zero.
            const char *names[4] = {"interval", "timeout", "start-period", "start-interval"};
            const char *keys[4] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
            for (int i = 0; i < 4; ++i) {
                const QString name = QLatin1String(names[i]);
                const QString text = ins.flagValue(name);
                if (text.isEmpty())
                    continue;
                const auto ns = parseGoDuration(text);
                if (!ns)
                    return fail(
                        QStringLiteral("HEALTHCHECK --%1=%2: give a duration such as 30s, 1m30s or 500ms")
                            .arg(name, text));
                if (*ns < 0)
                    return fail(
                        QStringLiteral("HEALTHCHECK --%1=%2: a duration cannot be negative").arg(name, text));
                if (*ns != 0 && *ns < 1000000)
                    return fail(QStringLiteral("HEALTHCHECK --%1=%2: a duration cannot be less than 1ms")
                                    .arg(name, text));
                durations[i] = *ns;
                if (*ns != 0)
                    check.insert(QLatin1String(keys[i]), double(*ns));
            }
            const QString retriesText = ins.flagValue(QStringLiteral("retries"));
            if (!retriesText.isEmpty()) {
                bool ok = false;
                retries = retriesText.toLongLong(&ok);
                if (!ok)
                    return fail(
                        QStringLiteral("HEALTHCHECK --retries=%1: give a whole number").arg(retriesText));
                if (retries < 0)
                    return fail(QStringLiteral("HEALTHCHECK --retries=%1: the count cannot be negative")
                                    .arg(retriesText));
                if (retries != 0)
                    check.insert(QStringLiteral("Retries"), double(retries));
            }
        }
        check.insert(QStringLiteral("Test"), test);
        config.healthcheck = check;
        QStringList testList;
        for (const QJsonValue &v : test)
            testList.append(v.toString());
        createdBy = QStringLiteral("HEALTHCHECK &{") + goQuoteList(testList);
        for (const qint64 d : durations)
            createdBy += QLatin1Char(' ') + goQuote(goDuration(d));
        createdBy += QLatin1Char(' ') + goQuoteRune(retries) + QLatin1Char('}');
        break;
    }
    case InstructionKind::Onbuild: {
        QString trigger = ins.original.trimmed();
        trigger = trigger.mid(trigger.indexOf(QLatin1Char(' ')) + 1).trimmed();
        config.onBuild.append(trigger);
        createdBy = QStringLiteral("ONBUILD ") + trigger;
        break;
    }
    case InstructionKind::Workdir: {
        const QString dir = expand(words().value(0), env, &error);
        const QString current = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
        const QString resolved =
            QDir::cleanPath(dir.startsWith(QLatin1Char('/')) ? dir : current + QLatin1Char('/') + dir);
        config.workingDir = resolved;
        createdBy = QStringLiteral("WORKDIR ") + dir;
        makesLayer = true;
        auto lowers = lowerDirs(state);
        if (!lowers)
            return std::unexpected(lowers.error());
        const LayerTree tree(*lowers);
        QString path;
        for (const QString &part : resolved.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
            path = path.isEmpty() ? part : path + QLatin1Char('/') + part;
            if (tree.find(path))
                continue;
            LayerSourceEntry entry;
            entry.entry.path = path;
            entry.entry.type = EntryType::Directory;
            entry.entry.mode = 0755;
            entry.entry.mtime = QDateTime::currentSecsSinceEpoch();
            copied.append(entry);
        }
        break;
    }
    case InstructionKind::Copy:
    case InstructionKind::Add: {
        scratch.emplace(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/copy-XXXXXX"));
        if (!scratch->isValid())
            return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch->errorString()));
        auto entries = copyEntries(ins, state, env, scratch->path(), base, &createdBy, &keyExtra);
        if (!entries)
            return std::unexpected(entries.error());
        copied = *entries;
        makesLayer = true;
        for (const Flag &f : ins.flags)
            linked = linked || (f.name == QLatin1String("link") &&
                                (f.value.isEmpty() || f.value == QLatin1String("true")));
        break;
    }
    case InstructionKind::Run: {
        QStringList argv;
        if (ins.jsonForm) {
            argv = words();
        } else {
            QString script = words().join(QLatin1Char(' '));
            argv = (config.shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                           : config.shell);
            if (!ins.heredocs.isEmpty()) {
                // `RUN <<EOF`: the body is the script.
                const Heredoc &doc = ins.heredocs.first();
                script = doc.expand ? expandHeredoc(doc.body(), env, &error) : doc.body();
            }
            argv.append(script);
        }
        QStringList used;
        for (const QString &name : argOrder)
            used.append(name + QLatin1Char('=') + args.value(name));
        createdBy = QStringLiteral("RUN ");
        if (!used.isEmpty())
            createdBy += QLatin1Char('|') + QString::number(used.size()) + QLatin1Char(' ') +
                         used.join(QLatin1Char(' ')) + QLatin1Char(' ');
        createdBy += argv.join(QLatin1Char(' ')) + QStringLiteral(" # buildkit");
        for (const Flag &f : ins.flags)
            keyExtra += f.name + QLatin1Char('=') + f.value + QLatin1Char('\n');
        makesLayer = true;
        break;
    }
    case InstructionKind::From:
    case InstructionKind::Unknown: return fail(QStringLiteral("unexpected instruction %1").arg(ins.keyword));
    }
    if (!error.isEmpty())
        return fail(error);

    // Every step that changes the image goes through the cache: same parent state,
    // same expanded instruction, same inputs → same result.
    const QString key = sha256Hex(
        state.key + QLatin1Char('\n') + createdBy + QLatin1Char('\n') + keyExtra + QLatin1Char('\n') +
        QString::fromUtf8(QJsonDocument(config.toJson()).toJson(QJsonDocument::Compact)));
    StageState cached;
    if (loadCache(key, cached)) {
        state = cached;
        ++m_cached;
        BuildEvent e = base;
        e.kind = BuildEventKind::StepCached;
        if (makesLayer && !state.layers.isEmpty()) {
            e.layerDigest = state.layers.last().digest.toString();
            e.layerSize = state.layers.last().size;
        }
        emitEvent(e);
        return {};
    }

    // A --link layer depends only on its own inputs, not on the layers below: when they
    // changed, the layer made last time is reused as it is.
    const QString linkKey =
        linked ? QStringLiteral("link-") +
                     sha256Hex(QStringLiteral("link\n") + createdBy + QLatin1Char('\n') + keyExtra)
               : QString();
    if (linked && !m_request.noCache) {
        QFile f(m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + linkKey +
                QStringLiteral(".json"));
        if (f.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
            auto d = Descriptor::fromJson(o.value(QStringLiteral("layer")).toObject());
            auto diffId = Digest::parse(o.value(QStringLiteral("diffId")).toString());
            if (d && diffId && m_builder.store().hasBlob(d->digest)) {
                next.layers.append(*d);
                next.config.diffIds.append(*diffId);
                addHistory(next, createdBy, false);
                next.key = key;
                saveCache(key, next);
                state = next;
                ++m_cached;
                BuildEvent e = base;
                e.kind = BuildEventKind::StepCached;
                e.layerDigest = d->digest.toString();
                e.layerSize = d->size;
                emitEvent(e);
                return {};
            }
        }
    }

    Descriptor layer;
    if (makesLayer) {
        if (ins.kind == InstructionKind::Run) {
            auto ran = runCommand(ins, next, args, argOrder, base, &createdBy);
            if (!ran)
                return std::unexpected(ran.error());
            layer = next.layers.last();
        } else {
            auto written = writeLayer(copied);
            if (!written)
                return std::unexpected(written.error());
            layer = written->descriptor();
            next.layers.append(layer);
            next.config.diffIds.append(written->diffId);
            if (linked) {
                QJsonObject o;
                o.insert(QStringLiteral("layer"), layer.toJson());
                o.insert(QStringLiteral("diffId"), written->diffId.toString());
                QSaveFile f(m_builder.store().cacheDir(QStringLiteral("build")) + QLatin1Char('/') + linkKey +
                            QStringLiteral(".json"));
                if (f.open(QIODevice::WriteOnly)) {
                    f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
                    f.commit();
                }
            }
        }
    }
    addHistory(next, createdBy, !makesLayer);
    next.key = key;
    saveCache(key, next);
    state = next;
    BuildEvent e = base;
    e.kind = BuildEventKind::StepDone;
    e.durationMs = timer.elapsed();
    if (makesLayer) {
        e.layerDigest = layer.digest.toString();
        e.layerSize = layer.size;
    }
    emitEvent(e);
    return {};
}

Expected<void> BuildRun::runCommand(const Instruction &ins, StageState &state,
                                    const QHash<QString, QString> &args, const QStringList &argOrder,
                                    const BuildEvent &base, QString *createdBy)
{
    Q_UNUSED(createdBy);
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    if (lowers->isEmpty())
        return fail(
            QStringLiteral("RUN needs a root filesystem, but this stage has no layers (FROM scratch)"));
    QTemporaryDir scratch(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/run-XXXXXX"));
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch.errorString()));
    auto rootfs = Rootfs::prepare(*lowers, scratch.path(), std::nullopt, m_cancel);
    if (!rootfs)
        return std::unexpected(rootfs.error());
    const ContainerConfig &config = state.config.config;
    RunSpec spec;
    const QHash<QString, QString> env = expansionEnv(state, args);
    if (ins.jsonForm) {
        for (const Word &w : ins.args)
            spec.args.append(w.text);
    } else {
        spec.args = config.shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                           : config.shell;
        QString script;
        for (const Word &w : ins.args)
            script += (script.isEmpty() ? QString() : QStringLiteral(" ")) + w.text;
        if (!ins.heredocs.isEmpty()) {
            const Heredoc &doc = ins.heredocs.first();
            script = doc.expand ? expandHeredoc(doc.body(), env) : doc.body();
        }
        spec.args.append(script);
    }
    spec.env = config.env;
    for (const QString &name : argOrder) {
        bool shadowed = false;
        for (const QString &e : config.env)
            shadowed = shadowed || envName(e) == name;
        if (!shadowed)
            spec.env.append(name + QLatin1Char('=') + args.value(name));
    }
    spec.workingDir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
    spec.user = config.user;
    if (ins.flagValue(QStringLiteral("network")) == QLatin1String("none"))
        spec.network = NetworkMode::None;
    else if (ins.flagValue(QStringLiteral("network")) == QLatin1String("host"))
        spec.network = NetworkMode::Host;
    for (const Flag &flag : ins.flags) {
        if (flag.name != QLatin1String("mount"))
            continue;
        SandboxMount mount;
        QHash<QString, QString> fields;
        for (const QString &part : flag.value.split(QLatin1Char(','))) {
            const qsizetype eq = part.indexOf(QLatin1Char('='));
            fields.insert(eq < 0 ? part : part.left(eq), eq < 0 ? QStringLiteral("true") : part.mid(eq + 1));
        }
        const QString type = fields.value(QStringLiteral("type"), QStringLiteral("bind"));
        mount.target =
            fields.value(QStringLiteral("target"),
                         fields.value(QStringLiteral("dst"), fields.value(QStringLiteral("destination"))));
        if (mount.target.isEmpty())
            return fail(QStringLiteral("--mount %1 needs a target").arg(flag.value));
        if (type == QLatin1String("cache")) {
            mount.type = SandboxMount::Type::Cache;
            const QString id = fields.value(QStringLiteral("id"), mount.target);
            mount.source =
                m_builder.store().cacheDir(QStringLiteral("run-cache")) + QLatin1Char('/') + sha256Hex(id);
            QDir().mkpath(mount.source);
        } else if (type == QLatin1String("tmpfs")) {
            mount.type = SandboxMount::Type::Tmpfs;
        } else if (type == QLatin1String("bind")) {
            mount.type = SandboxMount::Type::Bind;
            const QString from = fields.value(QStringLiteral("from"));
            const QString source =
                fields.value(QStringLiteral("source"), fields.value(QStringLiteral("src")));
            mount.readOnly =
                !(fields.contains(QStringLiteral("rw")) || fields.contains(QStringLiteral("readwrite")));
            // Another root this RUN sees through the bind: its own scratch space, removed with the RUN's.
            const QString bindScratch = scratch.path() + QStringLiteral("/bind-%1").arg(spec.mounts.size());
            if (!QDir().mkpath(bindScratch))
                return fail(QStringLiteral("cannot create %1").arg(bindScratch));
            if (from.isEmpty()) {
                // The source resolves inside the context: a symlink there never leads out.
                auto context = RootDirectory::open(m_request.contextDir);
                if (!context)
                    return std::unexpected(context.error());
                auto canonical = context->canonicalPath(source);
                auto fd = context->open(source, O_PATH, Symlinks::FollowInRoot);
                if (!canonical || !fd)
                    return fail(
                        QStringLiteral("--mount source=%1: not found in the build context").arg(source));
                struct stat st = {};
                ::fstat(fd->get(), &st);
                if (mount.readOnly) {
                    mount.source = m_request.contextDir + QLatin1Char('/') + *canonical;
                    mount.sourceFd = std::make_shared<FileDescriptor>(std::move(*fd));
                } else if (S_ISDIR(st.st_mode)) {
                    // Writes land in a copy-on-write layer and are thrown away, as in BuildKit.
                    auto view = Rootfs::prepare({m_request.contextDir + QLatin1Char('/') + *canonical},
                                                bindScratch, rootfs->mode(), m_cancel);
                    if (!view)
                        return std::unexpected(view.error());
                    mount.sourceRoot = std::make_shared<const Rootfs>(std::move(*view));
                } else {
                    const QString copy = bindScratch + QStringLiteral("/file");
                    if (!QFile::copy(RootDirectory::procPath(fd->get()), copy))
                        return fail(QStringLiteral("--mount source=%1: cannot copy it for a writable bind")
                                        .arg(source));
                    auto copied = RootDirectory::open(bindScratch);
                    auto copyFd = copied ? copied->open(QStringLiteral("file"), O_PATH, Symlinks::Refuse)
                                         : FsExpected<FileDescriptor>(std::unexpected(FsError{}));
                    if (!copyFd)
                        return fail(QStringLiteral("--mount source=%1: cannot open its copy").arg(source));
                    mount.source = copy;
                    mount.sourceFd = std::make_shared<FileDescriptor>(std::move(*copyFd));
                    mount.readOnly = true; // the copy is private; bwrap binds a descriptor read-only
                }
            } else {
                const int fromStage = m_graph.stageIndex(from);
                std::optional<StageState> fromState;
                {
                    std::lock_guard lock(m_resultMutex);
                    if (fromStage >= 0)
                        fromState = m_results[fromStage];
                }
                if (!fromState)
                    return fail(QStringLiteral("--mount from=%1: only stages can be mounted").arg(from));
                auto fromLowers = lowerDirs(*fromState);
                if (!fromLowers)
                    return std::unexpected(fromLowers.error());
                // The source resolves inside that stage (symlinks as the stage sees them)
                // and is mounted from the stage's own layers, never from a host path.
                auto view = Rootfs::prepare(*fromLowers, bindScratch, rootfs->mode(), m_cancel);
                if (!view)
                    return std::unexpected(view.error());
                const QString canonical = view->canonicalPath(source).mid(1);
                if (!canonical.isEmpty() && !view->lookup(canonical))
                    return fail(QStringLiteral("--mount from=%1: %2 not found").arg(from, source));
                mount.sourceRoot = std::make_shared<const Rootfs>(std::move(*view));
                mount.sourcePath = canonical;
            }
        } else {
            return fail(
                QStringLiteral("--mount type=%1 is not supported (bind, cache and tmpfs are)").arg(type));
        }
        spec.mounts.append(mount);
    }
    SandboxCallbacks callbacks;
    callbacks.log = [this, &base](const QString &line) {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepLog;
        e.text = line;
        emitEvent(e);
    };
    callbacks.notice = [this, &base](const QString &text) {
        BuildEvent e = base;
        e.kind = BuildEventKind::BuildWarning;
        e.text = text;
        emitEvent(e);
    };
    auto ran = Sandbox::run(*rootfs, spec, m_cancel, callbacks);
    if (!ran) {
        rootfs->removeScratch();
        if (ran.error().kind == ExecError::Kind::Cancelled)
            return fail(QStringLiteral("build cancelled"));
        QString message = ran.error().message;
        if (!ran.error().lastLines.isEmpty())
            message += QStringLiteral("\n") + ran.error().lastLines.join(QLatin1Char('\n'));
        return fail(message);
    }
    auto changes = ChangeSet::capture(*rootfs, m_cancel);
    if (!changes) {
        rootfs->removeScratch();
        return std::unexpected(changes.error());
    }
    QList<LayerSourceEntry> entries;
    for (const ChangeEntry &c : changes->entries()) {
        LayerSourceEntry e;
        e.entry = c.entry;
        e.sourcePath = c.sourcePath;
        // BuildKit's whiteout markers are 0600 files, its opaque markers 0755.
        if (e.entry.type == EntryType::Whiteout && e.entry.mode == 0)
            e.entry.mode = 0600;
        if (e.entry.type == EntryType::OpaqueWhiteout && e.entry.mode == 0)
            e.entry.mode = 0755;
        entries.append(e);
    }
    auto written = writeLayer(entries);
    rootfs->removeScratch();
    if (!written)
        return std::unexpected(written.error());
    state.layers.append(written->descriptor());
    state.config.diffIds.append(written->diffId);
    return {};
}

Expected<QList<LayerSourceEntry>> BuildRun::copyEntries(const Instruction &ins, const StageState &state,
                                                        const QHash<QString, QString> &env,
                                                        const QString &scratchDir, const BuildEvent &base,
                                                        QString *createdBy, QString *keyExtra)
{
    QStringList words;
    for (const Word &w : ins.args)
        words.append(ins.jsonForm ? w.text : expand(w.text, env));
    QMap<QString, LayerSourceEntry> out;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // Stage files carry host ids (the sandbox's shifted or subordinate ids); layers record
    // the container's.
    const Expected<IdMap> &idMap = IdMap::current();
    const bool isAdd = ins.kind == InstructionKind::Add;
    const auto boolFlag = [&](const QString &name) -> std::optional<bool> {
        for (qsizetype i = ins.flags.size() - 1; i >= 0; --i)
            if (ins.flags[i].name == name)
                return ins.flags[i].value.isEmpty() || ins.flags[i].value == QLatin1String("true");
        return std::nullopt;
    };
    const bool link = boolFlag(QStringLiteral("link")).value_or(false);
    const bool parents = boolFlag(QStringLiteral("parents")).value_or(false);
    const std::optional<bool> unpack = boolFlag(QStringLiteral("unpack"));
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    // The stage as it is (for --chown names) and as the copy may see it: with --link the
    // files land in an empty directory that becomes a layer of its own, so nothing of the
    // previous layers decides where they go (BuildKit's rule).
    const LayerTree stageTree(*lowers);
    const LayerTree destTree(link ? QStringList() : *lowers);
    const ContainerConfig &config = state.config.config;
    const QString workdir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;

    // Heredoc sources: `COPY <<EOF /path`.
    QList<Heredoc> docs;
    QStringList sources;
    if (words.isEmpty())
        return fail(QStringLiteral("%1 needs a source and a destination").arg(ins.keyword.toUpper()));
    const QString dest = words.last();
    for (const QString &w : words.mid(0, words.size() - 1)) {
        if (w.startsWith(QStringLiteral("<<"))) {
            QString name = w.mid(2);
            if (name.startsWith(QLatin1Char('-')))
                name = name.mid(1);
            name.remove(QLatin1Char('"')).remove(QLatin1Char('\''));
            for (const Heredoc &d : ins.heredocs)
                if (d.name == name)
                    docs.append(d);
        } else {
            sources.append(w);
        }
    }
    if (sources.isEmpty() && docs.isEmpty())
        return fail(QStringLiteral("%1 needs a source and a destination").arg(ins.keyword.toUpper()));

    const QString destAbs =
        QDir::cleanPath(dest.startsWith(QLatin1Char('/')) ? dest : workdir + QLatin1Char('/') + dest);
    const QString destRel = destAbs.mid(1);
    const bool destIsDir = dest.endsWith(QLatin1Char('/')) || dest.endsWith(QStringLiteral("/.")) ||
                           dest == QLatin1String(".") || sources.size() + docs.size() > 1 || parents ||
                           destTree.isDirectory(destTree.resolveParents(destRel));
    const auto join = [](const QString &dir, const QString &name) {
        return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + QLatin1Char('/') + name;
    };
    // --parents keeps a source's path below the context (or the stage root), or below
    // its `/./` pivot when it has one.
    const auto pivotOf = [&](const QString &source) {
        QString s = source;
        while (s.startsWith(QLatin1Char('/')))
            s.remove(0, 1);
        while (s.startsWith(QStringLiteral("./")))
            s.remove(0, 2);
        const qsizetype pivot = s.indexOf(QStringLiteral("/./"));
        return pivot < 0 ? QString() : cleanInside(s.left(pivot)).value_or(QString());
    };
    const auto belowPivot = [](const QString &path, const QString &pivot) {
        if (pivot.isEmpty())
            return path;
        if (path == pivot)
            return QString();
        return path.startsWith(pivot + QLatin1Char('/')) ? path.mid(pivot.size() + 1) : path;
    };

    // Ownership and mode flags.
    std::optional<qint64> uid, gid;
    const QString chown = expand(ins.flagValue(QStringLiteral("chown")), env);
    if (!chown.isEmpty()) {
        const QString user = chown.section(QLatin1Char(':'), 0, 0);
        const QString group = chown.contains(QLatin1Char(':')) ? chown.section(QLatin1Char(':'), 1) : user;
        uid = lookupId(stageTree, QStringLiteral("etc/passwd"), user);
        if (!uid)
            return fail(
                QStringLiteral("--chown=%1: no user \"%2\" in the stage's /etc/passwd").arg(chown, user));
        gid = lookupId(stageTree, QStringLiteral("etc/group"), group);
        if (!gid) {
            if (chown.contains(QLatin1Char(':')))
                return fail(QStringLiteral("--chown=%1: no group \"%2\" in the stage's /etc/group")
                                .arg(chown, group));
            gid = uid;
        }
        // Names resolve through the stage's files: the resolved ids belong in the cache key.
        *keyExtra += QStringLiteral("owner:%1:%2\n").arg(*uid).arg(*gid);
    }
    std::optional<quint32> chmod;
    const QString chmodText = ins.flagValue(QStringLiteral("chmod"));
    if (!chmodText.isEmpty()) {
        bool ok = false;
        chmod = chmodText.toUInt(&ok, 8);
        if (!ok || *chmod > 07777)
            return fail(QStringLiteral("--chmod=%1: give octal permission bits such as 0755").arg(chmodText));
    }
    QString checksum = ins.flagValue(QStringLiteral("checksum"));
    if (!checksum.isEmpty()) {
        checksum = expand(checksum, env);
        static const QRegularExpression sha256(QStringLiteral("^sha256:[0-9a-f]{64}$"));
        if (!sha256.match(checksum).hasMatch())
            return fail(
                QStringLiteral("--checksum=%1: give the digest as sha256:<64 hex digits>").arg(checksum));
        if (!isAdd)
            return fail(QStringLiteral("--checksum is an ADD option, not a COPY one"));
    }
    QList<QRegularExpression> excludes;
    for (const Flag &f : ins.flags)
        if (f.name == QLatin1String("exclude"))
            excludes.append(QRegularExpression(QRegularExpression::wildcardToRegularExpression(
                f.value, QRegularExpression::UnanchoredWildcardConversion)));
    const auto excluded = [&](const QString &relative) {
        for (const QRegularExpression &re : excludes)
            if (re.match(relative).hasMatch() || re.match(relative.section(QLatin1Char('/'), -1)).hasMatch())
                return true;
        return false;
    };
    const auto add = [&](LayerSourceEntry e) {
        if (uid) {
            e.entry.uid = *uid;
            e.entry.gid = *gid;
        }
        if (chmod && e.entry.type != EntryType::Symlink && e.entry.type != EntryType::Hardlink)
            e.entry.mode = *chmod;
        out.insert(e.entry.path, e);
    };

    for (const Heredoc &doc : docs) {
        LayerSourceEntry e;
        e.entry.path = destIsDir ? join(destRel, doc.name) : destRel;
        e.entry.type = EntryType::File;
        e.entry.mode = 0644;
        e.content = (doc.expand ? expandHeredoc(doc.body(), env) : doc.body()).toUtf8();
        e.entry.size = e.content.size();
        e.entry.mtime = now;
        *keyExtra += QStringLiteral("heredoc:") + sha256Hex(QString::fromUtf8(e.content)) + QLatin1Char('\n');
        add(e);
    }

    const QString from = expand(ins.flagValue(QStringLiteral("from")), env);
    if (!from.isEmpty()) {
        QStringList fromLowers;
        const int fromStage = m_graph.stageIndex(from);
        if (fromStage >= 0) {
            std::optional<StageState> fromState;
            {
                std::lock_guard lock(m_resultMutex);
                fromState = m_results[fromStage];
            }
            if (!fromState)
                return fail(QStringLiteral("--from=%1: the stage was not built").arg(from));
            auto dirs = lowerDirs(*fromState);
            if (!dirs)
                return std::unexpected(dirs.error());
            fromLowers = *dirs;
            *keyExtra += QStringLiteral("from-stage:") + fromState->key + QLatin1Char('\n');
        } else {
            auto ref = ImageReference::normalise(from);
            if (!ref)
                return std::unexpected(ref.error());
            auto image = imageFor(*ref, QStringLiteral("--from=%1").arg(from), base);
            if (!image)
                return std::unexpected(image.error());
            StageState imageState;
            imageState.config = image->config;
            for (const ImageLayer &l : image->layers)
                imageState.layers.append(l.descriptor);
            auto dirs = lowerDirs(imageState);
            if (!dirs)
                return std::unexpected(dirs.error());
            fromLowers = *dirs;
            *keyExtra += QStringLiteral("from-image:") + image->manifestDescriptor.digest.toString() +
                         QLatin1Char('\n');
        }
        const LayerTree tree(fromLowers);
        // Files with more than one link: the paths they were copied to, per inode, so the
        // copies stay hardlinked as the stage had them.
        QMap<QPair<quint64, quint64>, QStringList> inodes;
        std::function<void(const QString &, const QString &)> addTree = [&](const QString &srcRel,
                                                                            const QString &dstRel) {
            const auto path = tree.find(srcRel);
            if (!path)
                return;
            struct stat st
            {
            };
            if (::lstat(QFile::encodeName(*path).constData(), &st) != 0)
                return;
            if (excluded(srcRel))
                return;
            LayerSourceEntry e;
            e.entry.path = dstRel;
            e.entry.mode = st.st_mode & 07777;
            e.entry.uid = idMap ? idMap->containerUid(st.st_uid) : st.st_uid;
            e.entry.gid = idMap ? idMap->containerGid(st.st_gid) : st.st_gid;
            e.entry.mtime = st.st_mtime;
            if (S_ISDIR(st.st_mode)) {
                e.entry.type = EntryType::Directory;
                if (!dstRel.isEmpty())
                    add(e);
                for (const QString &name : tree.list(srcRel))
                    addTree(join(srcRel, name), join(dstRel, name));
                return;
            }
            if (S_ISLNK(st.st_mode)) {
                e.entry.type = EntryType::Symlink;
                char buf[4096];
                const ssize_t n = ::readlink(QFile::encodeName(*path).constData(), buf, sizeof buf - 1);
                e.entry.linkTarget = n > 0 ? QFile::decodeName(QByteArray(buf, int(n))) : QString();
            } else if (S_ISREG(st.st_mode)) {
                e.entry.type = EntryType::File;
                e.entry.size = st.st_size;
                e.sourcePath = *path;
                if (st.st_nlink > 1)
                    inodes[qMakePair(quint64(st.st_dev), quint64(st.st_ino))].append(dstRel);
            } else {
                return;
            }
            add(e);
        };
        for (const QString &src : sources) {
            const auto cleaned = cleanInside(src);
            if (!cleaned)
                return fail(
                    QStringLiteral("--from=%1: \"%2\" leads outside the stage's root").arg(from, src));
            QStringList matched;
            if (PathGlob::hasMeta(*cleaned)) {
                matched = expandTreeGlob(tree, *cleaned);
                if (matched.isEmpty())
                    return fail(
                        QStringLiteral("failed to compute cache key: no files match \"%1\" (in --from=%2)")
                            .arg(src, from));
            } else {
                matched.append(*cleaned);
            }
            const QString pivot = pivotOf(src);
            *keyExtra += src + QLatin1Char('\n');
            for (const QString &match : std::as_const(matched)) {
                const QString srcRel = tree.resolveParents(match);
                if (!tree.find(srcRel))
                    return fail(
                        QStringLiteral("failed to compute cache key: \"/%1\" not found (in --from=%2)")
                            .arg(srcRel, from));
                if (parents) {
                    addTree(srcRel, join(destRel, belowPivot(match, pivot)));
                } else if (tree.isDirectory(srcRel)) {
                    addTree(srcRel, destRel);
                } else {
                    const QString name = srcRel.section(QLatin1Char('/'), -1);
                    addTree(srcRel, destIsDir || matched.size() > 1 ? join(destRel, name) : destRel);
                }
            }
        }
        for (QStringList paths : std::as_const(inodes)) {
            paths.removeDuplicates();
            if (paths.size() < 2)
                continue;
            // The first path in tar order carries the content, as LayerWriter writes them.
            std::sort(paths.begin(), paths.end(),
                      [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
            for (qsizetype i = 1; i < paths.size(); ++i) {
                auto it = out.find(paths[i]);
                if (it == out.end() || it->entry.type != EntryType::File)
                    continue;
                it->entry.type = EntryType::Hardlink;
                it->entry.linkTarget = paths.first();
                it->entry.size = 0;
                it->sourcePath.clear();
            }
        }
    } else {
        for (const QString &src : sources) {
            if (src.startsWith(QStringLiteral("http://")) || src.startsWith(QStringLiteral("https://"))) {
                if (!isAdd)
                    return fail(QStringLiteral("COPY cannot fetch %1: use ADD for URLs").arg(src));
                const QUrl url(src);
                if (!url.isValid())
                    return fail(QStringLiteral("ADD %1: not a valid URL").arg(src));
                const QString file =
                    scratchDir + QStringLiteral("/download-") + QString::number(sources.indexOf(src));
                auto fetched = download(url, file, m_cancel);
                if (!fetched)
                    return std::unexpected(fetched.error());
                if (!checksum.isEmpty() && fetched->digest != checksum)
                    return fail(QStringLiteral("ADD %1: checksum mismatch: expected %2, the download has %3")
                                    .arg(src, checksum, fetched->digest));
                *keyExtra += src + QLatin1Char('=') + fetched->digest + QLatin1Char('\n');
                if (unpack.value_or(false) && isTarArchive(file)) {
                    auto entries = archiveEntries(file, src, destRel, scratchDir, m_cancel);
                    if (!entries)
                        return std::unexpected(entries.error());
                    for (const LayerSourceEntry &e : std::as_const(*entries))
                        add(e);
                    continue;
                }
                // Docker's rules: no extraction, mode 0600, the server's modification time.
                LayerSourceEntry e;
                e.entry.path = destIsDir ? join(destRel, fetched->fileName) : destRel;
                e.entry.type = EntryType::File;
                e.entry.mode = 0600;
                e.entry.size = fetched->size;
                e.entry.mtime = fetched->lastModified.value_or(now);
                e.sourcePath = file;
                add(e);
                continue;
            }
            if (!checksum.isEmpty())
                return fail(
                    QStringLiteral("ADD --checksum works with http(s) URLs only, not with %1").arg(src));
            auto matches = m_context->select(src, m_cancel);
            if (!matches)
                return std::unexpected(matches.error());
            auto digest = m_context->sourceDigest(src, m_cancel);
            if (!digest)
                return std::unexpected(digest.error());
            *keyExtra += src + QLatin1Char('=') + *digest + QLatin1Char('\n');
            const QString pivot = pivotOf(src);
            for (const ContextMatch &m : *matches) {
                // ADD of a local tar archive (any compression Docker knows) extracts it.
                if (isAdd && m.type == ContextFileType::File && unpack.value_or(true) &&
                    isTarArchive(m.files.value(0).absolutePath)) {
                    const QString into =
                        parents ? join(destRel, belowPivot(m.path, pivot).section(QLatin1Char('/'), 0, -2))
                                : destRel;
                    auto entries =
                        archiveEntries(m.files.value(0).absolutePath, src, into, scratchDir, m_cancel);
                    if (!entries)
                        return std::unexpected(entries.error());
                    for (const LayerSourceEntry &e : std::as_const(*entries))
                        add(e);
                    continue;
                }
                for (const ContextFile &f : m.files) {
                    if (excluded(f.path))
                        continue;
                    LayerSourceEntry e;
                    if (parents) {
                        e.entry.path = join(destRel, belowPivot(f.path, pivot));
                    } else if (m.type == ContextFileType::Directory) {
                        const QString rel = m.path.isEmpty() ? f.path : f.path.mid(m.path.size() + 1);
                        e.entry.path = f.path == m.path ? destRel : join(destRel, rel);
                    } else {
                        const QString name = m.path.section(QLatin1Char('/'), -1);
                        e.entry.path = destIsDir || matches->size() > 1 ? join(destRel, name) : destRel;
                    }
                    if (e.entry.path.isEmpty())
                        continue;
                    e.entry.mode = f.mode;
                    e.entry.mtime = f.mtime;
                    switch (f.type) {
                    case ContextFileType::Directory: e.entry.type = EntryType::Directory; break;
                    case ContextFileType::Symlink:
                        e.entry.type = EntryType::Symlink;
                        e.entry.linkTarget = f.linkTarget;
                        break;
                    case ContextFileType::File:
                        e.entry.type = EntryType::File;
                        e.entry.size = f.size;
                        e.sourcePath = f.absolutePath;
                        break;
                    case ContextFileType::Other: continue;
                    }
                    add(e);
                }
            }
        }
    }

    // A tar names a hardlink's target before the link: the first path of each group in
    // the layer's (byte) order carries the content, the others link to it.
    QHash<QString, QStringList> linkGroups;
    for (const LayerSourceEntry &e : std::as_const(out))
        if (e.entry.type == EntryType::Hardlink)
            linkGroups[e.entry.linkTarget].append(e.entry.path);
    for (auto group = linkGroups.begin(); group != linkGroups.end(); ++group) {
        auto target = out.find(group.key());
        if (target == out.end() || target->entry.type != EntryType::File) {
            // Links to a file outside this copy have nothing to point at in the layer.
            for (const QString &path : std::as_const(group.value()))
                out.remove(path);
            continue;
        }
        QStringList paths = group.value();
        paths.append(group.key());
        std::sort(paths.begin(), paths.end(),
                  [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
        if (paths.first() == group.key())
            continue;
        LayerSourceEntry carrier = *target;
        carrier.entry.path = paths.first();
        for (const QString &path : std::as_const(paths)) {
            LayerSourceEntry &e = out[path];
            if (path == paths.first()) {
                e = carrier;
            } else {
                e.entry.type = EntryType::Hardlink;
                e.entry.linkTarget = paths.first();
                e.entry.size = 0;
                e.sourcePath.clear();
                e.content.clear();
            }
        }
    }

    // Parent directories: existing ones as the stage has them, missing ones root 0755.
    const QStringList paths = out.keys();
    for (const QString &path : paths) {
        QString parent = path.section(QLatin1Char('/'), 0, -2);
        while (!parent.isEmpty() && !out.contains(parent)) {
            LayerSourceEntry e;
            e.entry.path = parent;
            e.entry.type = EntryType::Directory;
            e.entry.mode = 0755;
            e.entry.mtime = now;
            if (const auto existing = destTree.find(parent)) {
                struct stat st
                {
                };
                if (::stat(QFile::encodeName(*existing).constData(), &st) == 0) {
                    e.entry.mode = st.st_mode & 07777;
                    e.entry.uid = idMap ? idMap->containerUid(st.st_uid) : st.st_uid;
                    e.entry.gid = idMap ? idMap->containerGid(st.st_gid) : st.st_gid;
                }
            }
            out.insert(parent, e);
            parent = parent.section(QLatin1Char('/'), 0, -2);
        }
    }

    *createdBy = ins.keyword.toUpper() + QLatin1Char(' ') + words.join(QLatin1Char(' ')) +
                 QStringLiteral(" # buildkit");
    for (const Flag &f : ins.flags)
        *keyExtra += f.name + QLatin1Char('=') + f.value + QLatin1Char('\n');
    return out.values();
}

// Marks the whiteouts of a layer in overlay format inside its extracted directory. Every
// name is resolved inside that directory without following symlinks: a hostile layer
// holding `evil -> /host/dir` and `evil/.wh.important` is refused, never applied on the host.
Expected<void> markWhiteouts(const QString &blobPath, const QString &dir)
{
    QFile blob(blobPath);
    if (!blob.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1").arg(blobPath));
    auto root = RootDirectory::open(dir);
    if (!root)
        return std::unexpected(root.error());
    LayerReader reader(&blob);
    while (true) {
        auto entry = reader.next();
        if (!entry)
            return std::unexpected(entry.error());
        if (!*entry)
            return {};
        const LayerEntry &e = **entry;
        if (e.type == EntryType::Whiteout) {
            auto at = root->resolveParent(e.path, Symlinks::Refuse, false, true);
            if (!at || at->name == ".")
                return fail(
                    QStringLiteral("whiteout `%1`: %2")
                        .arg(e.path, at ? QStringLiteral("names the layer's root") : at.error().message));
            const int parent = at->directory.get();
            if (!RootDirectory::removeAllAt(parent, at->name))
                return fail(QStringLiteral("cannot replace `%1` by its whiteout").arg(e.path));
            if (::mknodat(parent, at->name.constData(), S_IFCHR | 0600, makedev(0, 0)) != 0) {
                // Without CAP_MKNOD the xattr form overlay also knows.
                FileDescriptor marker(::openat(parent, at->name.constData(),
                                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!marker.isValid() || ::fsetxattr(marker.get(), "user.overlay.whiteout", "y", 1, 0) != 0)
                    return fail(QStringLiteral("cannot mark whiteout `%1`").arg(e.path));
            }
        } else if (e.type == EntryType::OpaqueWhiteout) {
            auto opaque = root->openDirectory(e.path, Symlinks::Refuse, true);
            if (!opaque)
                return fail(QStringLiteral("opaque marker in `%1`: %2").arg(e.path, opaque.error().message));
            ::fsetxattr(opaque->get(), "user.overlay.opaque", "y", 1, 0);
            ::fsetxattr(opaque->get(), "trusted.overlay.opaque", "y", 1, 0);
        }
    }
}

} // namespace

Expected<QString> Builder::layerDirectory(const Descriptor &layer, const Digest &diffId,
                                          const CancellationToken &cancel) const
{
    const QString root = m_store.cacheDir(QStringLiteral("layers"));
    // As root the tree is owned as the sandbox's namespace sees it: container id + the
    // start of root's shifted range (an ordinary user cannot chown; the user is container
    // root). The shift is part of the name, so a changed range extracts again.
    const Expected<IdMap> &idMap = IdMap::current();
    const qint64 uidShift = ::geteuid() == 0 && idMap ? idMap->hostUid(0) : 0;
    const qint64 gidShift = ::geteuid() == 0 && idMap ? idMap->hostGid(0) : 0;
    const QString dir =
        root + QLatin1Char('/') + diffId.hex() +
        (uidShift || gidShift ? QStringLiteral("-%1-%2").arg(uidShift).arg(gidShift) : QString());
    // Kept by the build's lease: a concurrent `store gc` leaves the directory alone. A
    // caller without one gets a lease for the extraction, so its temporary directory is
    // not taken for a dead process's leftover.
    ImageStore store = m_store;
    auto lease = store.lease(QStringLiteral("extract"));
    if (!lease)
        return std::unexpected(lease.error());
    if (auto kept = store.keep(diffId); !kept)
        return std::unexpected(kept.error());
    if (QFileInfo::exists(dir))
        return dir;
    QTemporaryDir temp(root + QStringLiteral("/.extract-XXXXXX"));
    if (!temp.isValid())
        return fail(QStringLiteral("cannot create a directory under %1").arg(root));
    temp.setAutoRemove(false);
    const QString target = temp.path() + QStringLiteral("/tree");
    if (auto kept = store.keep(layer.digest); !kept)
        return std::unexpected(kept.error());
    auto blob = store.openBlob(layer.digest, layer.size);
    if (!blob)
        return std::unexpected(blob.error());
    ExtractOptions options;
    options.applyWhiteouts = false;
    // The cache outlives every build, so it holds no device node (the sandbox gives RUN
    // its own /dev, and a block device of the host's disk must never be one RUN can open).
    // Setuid and setgid bits stay, as Docker keeps them for COPY --from and RUN: the
    // store's directories are 0700, so no other user can reach those programs.
    options.createDevices = false;
    options.uidShift = uidShift;
    options.gidShift = gidShift;
    auto report = LayerExtractor::extract(blob->get(), target, options, cancel);
    if (!report) {
        Rootfs::removeTree(temp.path());
        return std::unexpected(report.error());
    }
    auto marked = markWhiteouts(m_store.blobPath(layer.digest), target);
    if (!marked) {
        Rootfs::removeTree(temp.path());
        return std::unexpected(marked.error());
    }
    // Renamed into place complete; a concurrent extraction of the same layer loses the race harmlessly.
    if (::rename(QFile::encodeName(target).constData(), QFile::encodeName(dir).constData()) != 0 &&
        !QFileInfo::exists(dir)) {
        Rootfs::removeTree(temp.path());
        return fail(QStringLiteral("cannot move the extracted layer into %1").arg(dir));
    }
    Rootfs::removeTree(temp.path());
    return dir;
}

Expected<BuildCachePruneReport> Builder::pruneCaches(const CancellationToken &cancel) const
{
    BuildCachePruneReport report;
    // Under the collection lock no lease is taken or extended meanwhile: what live leases
    // (running builds) keep is all they use until this returns.
    auto lock = m_store.collectionLock();
    if (!lock)
        return std::unexpected(lock.error());
    const LiveLeases leases = m_store.liveLeases();
    QSet<QString> used; // diff ID hex digits
    for (const Digest &kept : leases.kept)
        used.insert(kept.hex());
    auto references = m_store.references();
    if (!references)
        return std::unexpected(references.error());
    for (auto it = references->cbegin(); it != references->cend(); ++it) {
        auto image = m_store.image(it.key());
        if (!image)
            continue; // another platform only, or damaged: verify reports that
        for (const ImageLayer &layer : image->layers)
            used.insert(layer.diffId.hex());
    }
    const QString cacheRoot = m_store.cacheDir(QStringLiteral("build"));
    QDirIterator entries(cacheRoot, {QStringLiteral("*.json")}, QDir::Files);
    while (entries.hasNext()) {
        if (cancel.isCancelled())
            return fail(QStringLiteral("cancelled"));
        const QString path = entries.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        f.close();
        QList<Descriptor> layers;
        QStringList diffIds;
        if (o.contains(QStringLiteral("layer"))) { // a --link layer
            if (auto d = Descriptor::fromJson(o.value(QStringLiteral("layer")).toObject()))
                layers.append(*d);
            if (auto diffId = Digest::parse(o.value(QStringLiteral("diffId")).toString()))
                diffIds.append(diffId->hex());
        } else {
            for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray())
                if (auto d = Descriptor::fromJson(v.toObject()))
                    layers.append(*d);
            auto config = ImageConfig::parse(
                QJsonDocument(o.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact));
            if (config)
                for (const Digest &d : config->diffIds)
                    diffIds.append(d.hex());
        }
        bool complete = !diffIds.isEmpty() || layers.isEmpty();
        for (const Descriptor &d : std::as_const(layers))
            complete = complete && m_store.hasBlob(d.digest);
        if (!complete) {
            if (QFile::remove(path))
                ++report.cacheEntriesRemoved;
            continue;
        }
        for (const QString &hex : std::as_const(diffIds))
            used.insert(hex);
    }
    const QString layerRoot = m_store.cacheDir(QStringLiteral("layers"));
    for (const QFileInfo &info :
         QDir(layerRoot).entryInfoList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot)) {
        if (cancel.isCancelled())
            return fail(QStringLiteral("cancelled"));
        // An extraction in progress is a hidden directory; one no live lease can own was
        // left by a killed process.
        const bool leftover =
            info.fileName().startsWith(QLatin1Char('.')) && !leases.mayBeInUse(info.filePath());
        if (!leftover && (info.fileName().startsWith(QLatin1Char('.')) ||
                          used.contains(info.fileName().section(QLatin1Char('-'), 0, 0))))
            continue;
        RootDirectory::removeTree(info.filePath());
        if (!info.fileName().startsWith(QLatin1Char('.')))
            ++report.layerDirectoriesRemoved;
    }
    return report;
}

Expected<BuildResult> Builder::build(const BuildRequest &request, const BuildEventSink &sink,
                                     const CancellationToken &cancel)
{
    // The lease keeps what this build writes and uses from a `store gc` in any process,
    // and marks its scratch files as in use; what killed builds left goes first.
    Builder leased(*this);
    auto lease = leased.m_store.lease(QStringLiteral("build"));
    if (!lease)
        return std::unexpected(lease.error());
    (void)leased.m_store.removeAbandoned(false);
    BuildRun run(leased, request, sink, cancel);
    return run.run();
}

} // namespace stagecraft
