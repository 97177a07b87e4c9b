// `stagecraft __complete stages FILE | images [--store DIR]` (hidden): the words the
// completion scripts offer that only the program knows: the stage names of a Dockerfile
// (read by the real parser, continuations and all) and the image names of a store. Quiet
// on every error, and never creates a store that is not there.
#include "app/command.h"
#include "app/dockerfileinput.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/stagegraph.h"
#include "core/store/imagestore.h"

#include <QFileInfo>

namespace stagecraft::app {

namespace {

int printStages(const QString &path)
{
    const Expected<DockerfileInput> input = DockerfileInput::read(path);
    if (!input)
        return 1;
    QStringList names;
    for (const Stage &stage : StageGraph::fromDockerfile(DockerfileParser::parse(input->text)).stages)
        if (!stage.name.isEmpty() && !names.contains(stage.name))
            names.append(stage.name);
    if (!names.isEmpty())
        printOut(names.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    return 0;
}

int printImages(const QString &storeOption)
{
    const QString root = ImageStore::defaultRoot(storeOption);
    if (!QFileInfo(root).isDir())
        return 0;
    Expected<ImageStore> store = ImageStore::open(root);
    if (!store)
        return 1;
    const auto refs = store->references();
    if (!refs)
        return 1;
    QString out;
    for (auto it = refs->begin(); it != refs->end(); ++it)
        out += it.key() + QLatin1Char('\n');
    printOut(out);
    return 0;
}

int runComplete(const QStringList &args)
{
    if (args.size() == 2 && args.first() == QLatin1String("stages") && args.at(1) != QLatin1String("-"))
        return printStages(args.at(1));
    if (args.size() == 1 && args.first() == QLatin1String("images"))
        return printImages(QString());
    if (args.size() == 3 && args.first() == QLatin1String("images") && args.at(1) == QLatin1String("--store"))
        return printImages(args.at(2));
    if (args.size() == 1 && args.first() == QLatin1String("--help")) {
        printOut(QStringLiteral("Usage: stagecraft __complete stages FILE\n"
                                "       stagecraft __complete images [--store DIR]\n"));
        return 0;
    }
    return 2;
}

const CommandRegistration reg{
    {QStringLiteral("__complete"), QStringLiteral("words for the shell completions"), runComplete, true}};

} // namespace

} // namespace stagecraft::app
