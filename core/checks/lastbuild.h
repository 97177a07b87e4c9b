// What the checks know of the image the last build made, as plain data (so the checks need
// no image reader): each layer's history `created_by`, and the files one layer wrote and a
// later layer removed or overwrote, with the bytes the image still carries for them.
// WrittenThenDeleted (SC009) reports those; PackageCacheInLayer states a cache's bytes.
#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace stagecraft {

class BuildPlan;

class LastBuild
{
public:
    // A path written in `writtenLayer` whose bytes a later layer made invisible.
    struct Waste
    {
        QString path;
        int writtenLayer = -1;
        int laterLayer = -1;
        bool removed = false; // removed (whited out); false: overwritten
        qint64 bytes = 0;     // the written version's bytes, still in the image
    };

    QString image;              // how the analysed image was named ("app:latest", a file)
    QStringList layerCreatedBy; // each layer's history created_by, bottom layer first
    QList<Waste> waste;

    // Which layer each step of the final image's stages made, by Dockerfile instruction index.
    // The mapping goes by order from the top: the image's last layers are the last
    // layer-making steps (RUN, COPY, ADD, WORKDIR) of the target stage and the stages it is
    // built FROM; a layer is taken for a step only when its created_by starts with the step's
    // keyword (BuildKit writes "RUN /bin/sh -c …", "COPY a b # buildkit"). A WORKDIR may
    // make no layer; any other mismatch ends the mapping, so an image from another
    // Dockerfile maps few steps or none rather than wrong ones. Layers left below are the
    // base image's. A RUN whose command text is no longer the one its layer's history
    // records (edited since the build) keeps the layer in the count but is left out of the
    // map: its layer goes into `staleLayers`, and nothing is said of it until the next build.
    static QHash<int, int> instructionLayers(const BuildPlan &plan, const QStringList &layerCreatedBy,
                                             QSet<int> *staleLayers = nullptr);
};

} // namespace stagecraft
