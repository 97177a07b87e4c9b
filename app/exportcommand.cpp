// `stagecraft export`: writes an image of the local store as an OCI image layout or a
// docker-archive tarball (`docker load` reads it).
#include "app/command.h"
#include "app/storearguments.h"

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft export [--store DIR] REF -o PATH [--format oci|docker]\n"
                      "\n"
                      "Writes the image REF of the local store to PATH.\n"
                      "\n"
                      "  -o, --output PATH   where to write\n"
                      "  --format FORMAT     oci: an OCI image layout directory (the image is named REF\n"
                      "                      in index.json; an existing layout gains the image)\n"
                      "                      docker: a docker-archive tarball for `docker load`\n"
                      "                      default: docker when PATH ends in .tar, else oci\n";

int runExport(const QStringList &args)
{
    const QString name = QStringLiteral("export");
    auto parsed = StoreArguments::parse(
        args, {QStringLiteral("-o"), QStringLiteral("--output"), QStringLiteral("--format")}, {});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (parsed->positional().size() != 1)
        return usageError(name, QStringLiteral("give one image to export"));
    const QString output = parsed->has(QStringLiteral("-o")) ? parsed->value(QStringLiteral("-o"))
                                                             : parsed->value(QStringLiteral("--output"));
    if (output.isEmpty())
        return usageError(name, QStringLiteral("-o PATH is required"));
    QString format = parsed->value(QStringLiteral("--format"));
    if (format.isEmpty())
        format = output.endsWith(QLatin1String(".tar")) ? QStringLiteral("docker") : QStringLiteral("oci");
    if (format != QLatin1String("oci") && format != QLatin1String("docker"))
        return usageError(name, QStringLiteral("--format must be oci or docker, not `%1`").arg(format));
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);
    auto exported =
        store->exportImage(parsed->positional().first(), output,
                           format == QLatin1String("oci") ? ExportFormat::Oci : ExportFormat::DockerArchive);
    if (!exported)
        return commandError(name, exported.error().message);
    return 0;
}

const CommandRegistration reg{{QStringLiteral("export"),
                               QStringLiteral("write an image as an OCI layout or docker-archive"),
                               runExport}};

} // namespace

} // namespace stagecraft::app
