// Test fixture: the busybox root filesystem (busyboxrootfs.h) as a one-layer OCI image,
// the base `tests/data/seeds/busybox` builds on (its final stage removes /etc/motd).
#pragma once

#include "busyboxrootfs.h"
#include "core/oci/image.h"
#include "core/oci/imageconfig.h"
#include "core/oci/imagemanifest.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"
#include "core/oci/platform.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTemporaryFile>

namespace stagecraft::test {

// Writes the busybox fixture as a one-layer image named `refName` into a new OCI layout
// at `dir`, owned by root whoever runs the test. Returns an error message, empty on success.
inline QString makeFixtureLayout(const QString &dir, const QString &refName)
{
    QTemporaryDir rootfs;
    if (!rootfs.isValid() || !makeBusyboxRootfs(rootfs.path()))
        return QStringLiteral("cannot make the busybox root filesystem (is busybox-static installed?)");
    // The layer's root entry takes the directory's mode: a temporary directory's 0700
    // would lock every user but root out of the image.
    QFile::setPermissions(rootfs.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                             QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                             QFile::ExeOther);
    QTemporaryFile blob;
    if (!blob.open())
        return QStringLiteral("cannot create a temporary file");
    LayerWriteOptions options;
    options.uid = 0;
    options.gid = 0;
    options.fixedMtime = 1700000000;
    auto written = LayerWriter::writeDirectory(rootfs.path(), &blob, options);
    if (!written)
        return written.error().message;
    auto layout = OciLayout::create(dir);
    if (!layout)
        return layout.error().message;
    blob.seek(0);
    if (auto stored = layout->writeBlob(written->digest, written->size, &blob); !stored)
        return stored.error().message;
    ImageConfig config;
    config.architecture = Platform::host().architecture;
    config.os = Platform::host().os;
    config.config.env = {QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")};
    config.config.cmd = {QStringLiteral("sh")};
    config.diffIds = {written->diffId};
    HistoryEntry history;
    history.createdBy = QStringLiteral("busybox fixture");
    config.history = {history};
    ImageManifest manifest;
    manifest.mediaType = mediatype::OciManifest;
    manifest.layers = {written->descriptor()};
    auto configDescriptor = layout->writeBlob(config.toJson(), mediatype::OciConfig);
    if (!configDescriptor)
        return configDescriptor.error().message;
    manifest.config = *configDescriptor;
    auto manifestDescriptor = layout->writeBlob(manifest.toJson(), mediatype::OciManifest);
    if (!manifestDescriptor)
        return manifestDescriptor.error().message;
    auto image = Image::load(layout->blobs(), *manifestDescriptor);
    if (!image)
        return image.error().message;
    if (auto added = layout->addImage(*image, refName); !added)
        return added.error().message;
    return {};
}

} // namespace stagecraft::test
