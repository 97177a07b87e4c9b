#include "core/analysis/analysiscache.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QtEndian>

#include <cstring>

#include <zlib.h>

namespace stagecraft {

namespace {

constexpr char Magic[8] = {'S', 'C', 'A', 'N', 'A', 'L', 'Y', 'S'};
constexpr qsizetype KeySize = 64;
// magic, format version, key, payload length, CRC-32 of the payload
constexpr qsizetype HeaderSize = 8 + 4 + KeySize + 8 + 4;
const QLatin1String Suffix(".analysis");

// CRC-32, not a cryptographic hash: it guards against a damaged or truncated file at
// memory speed; the key in the header already ties the file to its content.
quint32 checksum(QByteArrayView bytes)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const auto *data = reinterpret_cast<const Bytef *>(bytes.data());
    qsizetype left = bytes.size();
    while (left > 0) {
        const uInt chunk = uInt(qMin<qsizetype>(left, 1 << 30));
        crc = crc32(crc, data, chunk);
        data += chunk;
        left -= chunk;
    }
    return quint32(crc);
}

} // namespace

AnalysisCache::AnalysisCache(QString directory)
    : m_directory(std::move(directory))
{}

QString AnalysisCache::keyFor(const Image &image, const AnalysisOptions &options)
{
    QByteArray text = "stagecraft analysis " + QByteArray::number(FormatVersion) + "\nmodel " +
                      QByteArray::number(int(options.wasteModel)) + "\nconfig " +
                      image.manifest.config.digest.toString().toUtf8() + '\n';
    for (const ImageLayer &layer : image.layers) {
        text += layer.descriptor.digest.toString().toUtf8() + ' ' +
                QByteArray::number(layer.descriptor.size) + ' ' + layer.diffId.toString().toUtf8() + '\n';
    }
    return QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex());
}

QString AnalysisCache::pathFor(const Image &image, const AnalysisOptions &options) const
{
    const Digest &config = image.manifest.config.digest;
    // Digest::hex() holds only hex digits (Digest::parse checks), so the name cannot
    // point outside the directory.
    return m_directory + u'/' + config.algorithm() + u'-' + config.hex() + u'-' +
           keyFor(image, options).left(16) + Suffix;
}

Digest AnalysisCache::configDigestOf(const QString &fileName)
{
    const QString name = QFileInfo(fileName).fileName();
    if (!name.endsWith(Suffix))
        return {};
    const QStringList parts = name.chopped(Suffix.size()).split(u'-');
    if (parts.size() != 3)
        return {};
    auto digest = Digest::parse(parts[0] + u':' + parts[1]);
    return digest ? *digest : Digest();
}

Expected<ImageAnalysis> AnalysisCache::load(const Image &image, const AnalysisOptions &options) const
{
    if (!image.manifest.config.digest.isValid())
        return fail(QStringLiteral("the image has no config digest to look its analysis up by"));
    QFile file(pathFor(image, options));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("no cached analysis for %1").arg(image.manifest.config.digest.toString()));
    const QByteArray bytes = file.readAll();
    if (bytes.size() < HeaderSize || std::memcmp(bytes.constData(), Magic, sizeof Magic) != 0)
        return fail(QStringLiteral("%1 is not an analysis cache file").arg(file.fileName()));
    const char *p = bytes.constData() + sizeof Magic;
    const quint32 version = qFromLittleEndian<quint32>(p);
    if (version != FormatVersion)
        return fail(QStringLiteral("%1 has analysis format %2, expected %3")
                        .arg(file.fileName())
                        .arg(version)
                        .arg(FormatVersion));
    if (QByteArrayView(p + 4, KeySize) != keyFor(image, options).toLatin1())
        return fail(QStringLiteral("%1 holds the analysis of other content").arg(file.fileName()));
    const quint64 payloadSize = qFromLittleEndian<quint64>(p + 4 + KeySize);
    if (payloadSize != quint64(bytes.size() - HeaderSize))
        return fail(QStringLiteral("%1 is truncated").arg(file.fileName()));
    if (checksum(QByteArrayView(bytes).sliced(HeaderSize)) != qFromLittleEndian<quint32>(p + 4 + KeySize + 8))
        return fail(QStringLiteral("%1 is damaged (checksum mismatch)").arg(file.fileName()));
    auto analysis = ImageAnalysis::decode(bytes, HeaderSize);
    if (!analysis)
        return fail(QStringLiteral("%1: %2").arg(file.fileName(), analysis.error().message));
    if (analysis->wasteModel() != options.wasteModel || analysis->layers().size() != image.layers.size())
        return fail(QStringLiteral("%1 does not match the image").arg(file.fileName()));
    return analysis;
}

Expected<void> AnalysisCache::save(const Image &image, const AnalysisOptions &options,
                                   const ImageAnalysis &analysis) const
{
    if (!image.manifest.config.digest.isValid())
        return fail(QStringLiteral("cannot cache the analysis of an image without a config digest"));
    if (!QDir().mkpath(m_directory))
        return fail(QStringLiteral("cannot create the cache directory %1").arg(m_directory));
    const QByteArray payload = analysis.encode();
    QByteArray header;
    header.reserve(HeaderSize);
    header.append(Magic, sizeof Magic);
    char word[8];
    qToLittleEndian<quint32>(FormatVersion, word);
    header.append(word, 4);
    header.append(keyFor(image, options).toLatin1());
    qToLittleEndian<quint64>(quint64(payload.size()), word);
    header.append(word, 8);
    qToLittleEndian<quint32>(checksum(payload), word);
    header.append(word, 4);

    QSaveFile file(pathFor(image, options));
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    file.write(header);
    file.write(payload);
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    return {};
}

} // namespace stagecraft
