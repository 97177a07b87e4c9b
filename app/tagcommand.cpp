// `stagecraft tag`: gives an image of the local store another name.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/store/imagereference.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("tag"),
    .usage = "Usage: stagecraft tag [--store DIR] SOURCE TARGET\n"
             "\n"
             "Names the image SOURCE (a name, NAME:TAG, or digest/ID prefix) also TARGET.\n"
             "A name without a tag means NAME:latest.\n",
    .minPositional = 2,
    .maxPositional = 2,
    .positionalHint = QStringLiteral("give SOURCE and TARGET")};

int runTag(const QStringList &args)
{
    return runStoreCommand(kSyntax, args, [](const StoreArguments &parsed, ImageStore &store) {
        const QString &name = kSyntax.name;
        if (auto target = ImageReference::normalise(parsed.positional().at(1)); !target)
            return usageError(name, target.error().message);
        auto source = store.resolve(parsed.positional().at(0));
        if (!source)
            return commandError(name, source.error().message);
        if (auto tagged = store.tag(parsed.positional().at(1), *source); !tagged)
            return commandError(name, tagged.error().message);
        return 0;
    });
}

const CommandRegistration reg{
    {QStringLiteral("tag"), QStringLiteral("give an image in the store another name"), runTag}};

} // namespace

} // namespace stagecraft::app
