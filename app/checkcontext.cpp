#include "app/checkcontext.h"

#include "core/context/dockerignore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <memory>

namespace stagecraft::app {

namespace {

// The source files' text, read once on first use.
class SourceText
{
public:
    explicit SourceText(QString directory)
        : m_directory(std::move(directory))
    {}

    bool mentions(const QString &word)
    {
        if (!m_read) {
            read();
            m_read = true;
        }
        return m_text.contains(word.toUtf8());
    }

private:
    void read()
    {
        static const QStringList kSources = {QStringLiteral("*.go"), QStringLiteral("*.rs"),
                                             QStringLiteral("*.py"), QStringLiteral("*.js"),
                                             QStringLiteral("*.ts"), QStringLiteral("*.java")};
        QDirIterator it(m_directory, kSources, QDir::Files | QDir::NoSymLinks | QDir::Readable,
                        QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext() && files < CheckContext::kMaxFiles && m_text.size() < CheckContext::kMaxBytes) {
            const QString path = it.next();
            const QString relative = QDir(m_directory).relativeFilePath(path);
            if (relative.startsWith(QLatin1String(".git/")) ||
                relative.contains(QLatin1String("node_modules/")) ||
                relative.startsWith(QLatin1String("vendor/")))
                continue;
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                continue;
            m_text += f.read(CheckContext::kMaxBytes - m_text.size());
            m_text += '\n';
            ++files;
        }
    }

    QString m_directory;
    QByteArray m_text;
    bool m_read = false;
};

} // namespace

Expected<BuildCheckOptions> CheckContext::read(const QString &directory)
{
    const QFileInfo info(directory);
    if (!info.isDir())
        return fail(QStringLiteral("%1: the build context is not a directory").arg(directory));
    BuildCheckOptions options;
    options.contextKnown = true;
    const QString ignorePath = QDir(directory).filePath(QStringLiteral(".dockerignore"));
    if (QFileInfo::exists(ignorePath)) {
        QFile f(ignorePath);
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("%1: %2").arg(ignorePath, f.errorString()));
        const QString text = QString::fromUtf8(f.read(kMaxBytes));
        Expected<DockerIgnore> ignore = DockerIgnore::parse(text);
        if (!ignore)
            return fail(QStringLiteral("%1: %2").arg(ignorePath, ignore.error().message));
        options.dockerignoreText = text;
        options.dockerignoreHasExceptions = ignore->hasExceptions();
        options.isIgnoredByDockerignore = [rules = *ignore](const QString &path) {
            return rules.isExcluded(path);
        };
    }
    const QString root = info.absoluteFilePath();
    options.contextContains = [root](const QString &path) {
        // Only plain names are asked for; a name that climbs out is not in the context.
        if (path.contains(QLatin1String("..")))
            return false;
        return QFileInfo(QDir(root).filePath(path)).exists();
    };
    auto sources = std::make_shared<SourceText>(root);
    options.contextSourcesMention = [sources](const QString &word) { return sources->mentions(word); };
    return options;
}

} // namespace stagecraft::app
