#include "app/dockerfileinput.h"

#include <QFile>
#include <QFileInfo>

#include <cstdio>

namespace stagecraft::app {

Expected<DockerfileInput> DockerfileInput::read(const QString &path)
{
    DockerfileInput input;
    QFile file;
    if (path == QLatin1String("-")) {
        input.displayName = QStringLiteral("<stdin>");
        if (!file.open(stdin, QIODevice::ReadOnly))
            return fail(
                QStringLiteral("cannot read the Dockerfile from standard input: %1").arg(file.errorString()));
    } else {
        input.displayName = path;
        const QFileInfo info(path);
        if (!info.exists())
            return fail(QStringLiteral("%1: no such file (give the Dockerfile with -f FILE, or -f - for "
                                       "standard input)")
                            .arg(path));
        if (info.isDir())
            return fail(
                QStringLiteral("%1: is a directory, not a Dockerfile (did you mean -f %2)")
                    .arg(path, QFileInfo(info.filePath() + QStringLiteral("/Dockerfile")).filePath()));
        file.setFileName(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    }
    input.text = QString::fromUtf8(file.readAll());
    return input;
}

} // namespace stagecraft::app
