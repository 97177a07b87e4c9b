// The example Dockerfiles shipped inside the program (resources/examples/<id>/, with
// their Go sources as build context) and how to open one: it is copied to a writable
// directory first, so it can be edited, saved and built like any other file.
#pragma once

#include <QList>
#include <QString>

namespace stagecraft::ui {

struct Example
{
    QString id;          // "go-multi-stage"
    const char *title;   // untranslated, in the ExampleCatalog context
    const char *summary; // one line for the menu's status tip
};

class ExampleCatalog
{
public:
    static const QList<Example> &examples();
    static const Example *find(const QString &id);
    static QString title(const Example &example);         // translated
    static QString summary(const Example &example);       // translated
    static QString embeddedDockerfile(const QString &id); // the text as shipped, or empty

    // Copies the example's files to AppDataLocation/examples/<id> (or a temporary
    // directory when that is not writable), replacing an earlier copy so an example
    // always starts as shipped; returns the path of its Dockerfile, or an empty string
    // with `error` set.
    static QString materialize(const QString &id, QString *error = nullptr);
};

} // namespace stagecraft::ui
