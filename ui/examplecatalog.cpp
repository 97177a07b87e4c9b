#include "ui/examplecatalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>

// Resources of a static library are registered explicitly (outside any namespace).
static void initStagecraftResources()
{
    Q_INIT_RESOURCE(stagecraft);
}

namespace stagecraft::ui {

namespace {

void ensureResources()
{
    static const bool done = [] {
        initStagecraftResources();
        return true;
    }();
    Q_UNUSED(done);
}

bool copyTree(const QString &from, const QString &to, QString *error)
{
    if (!QDir().mkpath(to)) {
        if (error)
            *error =
                QCoreApplication::translate("stagecraft::ui::ExampleCatalog", "Cannot create the folder %1.")
                    .arg(to);
        return false;
    }
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString target = to + source.mid(from.size());
        QDir().mkpath(QFileInfo(target).absolutePath());
        QFile::remove(target);
        if (!QFile::copy(source, target)) {
            if (error)
                *error = QCoreApplication::translate("stagecraft::ui::ExampleCatalog", "Cannot write %1.")
                             .arg(target);
            return false;
        }
        // Copies out of the resource system are read-only; the example is meant to be edited.
        QFile::setPermissions(target,
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    return true;
}

} // namespace

const QList<Example> &ExampleCatalog::examples()
{
    static const QList<Example> list{
        {QStringLiteral("go-single-stage"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog", "Go, single stage"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog",
                           "Builds a Go program in one stage; the toolchain stays in the image.")},
        {QStringLiteral("go-multi-stage"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog", "Go, multi-stage"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog",
                           "Builds in one stage and copies only the binary into an empty scratch image.")},
        {QStringLiteral("copy-from-index"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog", "COPY --from a stage number"),
         QT_TRANSLATE_NOOP(
             "stagecraft::ui::ExampleCatalog",
             "An unnamed build stage, referred to as stage 0; the source comes from a heredoc.")},
        {QStringLiteral("named-stages"), QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog", "Named stages"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog",
                           "The same build with a named stage, so COPY --from survives reordering.")},
        {QStringLiteral("alpine-runtime"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog", "Alpine runtime"),
         QT_TRANSLATE_NOOP("stagecraft::ui::ExampleCatalog",
                           "Builds with the Go image and runs on a small Alpine image.")},
    };
    return list;
}

const Example *ExampleCatalog::find(const QString &id)
{
    for (const Example &e : examples())
        if (e.id == id)
            return &e;
    return nullptr;
}

QString ExampleCatalog::title(const Example &example)
{
    return QCoreApplication::translate("stagecraft::ui::ExampleCatalog", example.title);
}

QString ExampleCatalog::summary(const Example &example)
{
    return QCoreApplication::translate("stagecraft::ui::ExampleCatalog", example.summary);
}

QString ExampleCatalog::embeddedDockerfile(const QString &id)
{
    ensureResources();
    QFile file(QStringLiteral(":/examples/%1/Dockerfile").arg(id));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QString ExampleCatalog::materialize(const QString &id, QString *error)
{
    ensureResources();
    if (!find(id)) {
        if (error)
            *error = QCoreApplication::translate("stagecraft::ui::ExampleCatalog",
                                                 "There is no example called “%1”.")
                         .arg(id);
        return {};
    }
    const QString source = QStringLiteral(":/examples/") + id;
    QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (base.isEmpty() || !QDir().mkpath(base))
        base = QDir::tempPath() + QStringLiteral("/stagecraft");
    const QString target = base + QStringLiteral("/examples/") + id;
    QString copyError;
    if (!copyTree(source, target, &copyError)) {
        // Fall back to a fresh temporary folder (read-only home, full disk, …).
        QTemporaryDir temp(QDir::tempPath() + QStringLiteral("/stagecraft-example-XXXXXX"));
        temp.setAutoRemove(false);
        if (!temp.isValid() || !copyTree(source, temp.path(), &copyError)) {
            if (error)
                *error = copyError;
            return {};
        }
        return temp.path() + QStringLiteral("/Dockerfile");
    }
    return target + QStringLiteral("/Dockerfile");
}

} // namespace stagecraft::ui
