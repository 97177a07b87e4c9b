// `stagecraft images`: the images in the local store as a table (REPOSITORY, TAG,
// DIGEST, SIZE), sizes printed the way `docker images` prints them.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/common/controlcharacters.h"
#include "core/store/imagereference.h"

#include <QList>

#include <algorithm>

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft images [--store DIR] [--no-trunc] [-q]\n"
                      "\n"
                      "Lists the images of the local store: repository, tag, manifest digest and\n"
                      "size (the bytes of the files in the image's layers, as `docker images`).\n"
                      "\n"
                      "  --store DIR   the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
                      "  --no-trunc    print whole digests\n"
                      "  -q, --quiet   print only NAME:TAG, one per line\n";

// Docker's units.HumanSizeWithPrecision(size, 3): decimal units, three significant digits.
QString dockerSize(qint64 bytes)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1000.0 && unit < 6) {
        value /= 1000.0;
        ++unit;
    }
    return QString::number(value, 'g', 3) + QLatin1String(units[unit]);
}

int runImages(const QStringList &args)
{
    const QString name = QStringLiteral("images");
    auto parsed = StoreArguments::parse(
        args, {}, {QStringLiteral("--no-trunc"), QStringLiteral("-q"), QStringLiteral("--quiet")});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (!parsed->positional().isEmpty())
        return usageError(name, QStringLiteral("unexpected argument `%1`").arg(parsed->positional().first()));
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);
    auto refs = store->references();
    if (!refs)
        return commandError(name, refs.error().message);
    const bool quiet = parsed->has(QStringLiteral("-q")) || parsed->has(QStringLiteral("--quiet"));
    const bool noTrunc = parsed->has(QStringLiteral("--no-trunc"));

    QList<QStringList> rows;
    rows << QStringList{QStringLiteral("REPOSITORY"), QStringLiteral("TAG"), QStringLiteral("DIGEST"),
                        QStringLiteral("SIZE")};
    int status = 0;
    for (auto it = refs->begin(); it != refs->end(); ++it) {
        if (quiet) {
            printOut(escapeControlCharacters(it.key()) + QLatin1Char('\n'));
            continue;
        }
        QString size = QStringLiteral("?");
        auto image = store->image(it.key());
        if (!image) {
            printErr(QStringLiteral("stagecraft images: %1: %2\n").arg(it.key(), image.error().message));
            status = 1;
        } else if (auto bytes = store->contentSize(*image)) {
            size = dockerSize(*bytes);
        } else {
            printErr(QStringLiteral("stagecraft images: %1: %2\n").arg(it.key(), bytes.error().message));
            status = 1;
        }
        const Digest digest = it.value().digest;
        rows << QStringList{escapeControlCharacters(ImageReference::repository(it.key())),
                            escapeControlCharacters(ImageReference::tag(it.key())),
                            noTrunc ? digest.toString() : QStringLiteral("sha256:") + digest.shortHex(),
                            size};
    }
    if (quiet)
        return status;
    // Columns padded like Docker's tabwriter: widest cell plus three spaces.
    QList<qsizetype> widths(4, 0);
    for (const QStringList &row : std::as_const(rows))
        for (int c = 0; c < 4; ++c)
            widths[c] = std::max(widths[c], row[c].size());
    QString out;
    for (const QStringList &row : std::as_const(rows)) {
        QString line;
        for (int c = 0; c < 4; ++c)
            line += c == 3 ? row[c] : row[c].leftJustified(widths[c] + 3);
        out += line + QLatin1Char('\n');
    }
    printOut(out);
    return status;
}

const CommandRegistration reg{
    {QStringLiteral("images"), QStringLiteral("list the images in the local store"), runImages}};

} // namespace

} // namespace stagecraft::app
