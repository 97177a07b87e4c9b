// Command-line handling shared by the image commands (`images`, `import`, `tag`,
// `export`, `rmi`, `store`): the `--store DIR` option, option values, positional
// arguments, and opening the store they name.
#pragma once

#include "core/common/error.h"
#include "core/store/imagestore.h"

#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

namespace stagecraft::app {

class StoreArguments
{
public:
    // `valueOptions` take a value ("-t", "--format"); `flags` take none. `--store` is
    // always known. Returns an error message for unknown options or missing values.
    static Expected<StoreArguments> parse(const QStringList &args, const QStringList &valueOptions,
                                          const QStringList &flags);

    bool help() const { return m_help; }
    bool has(const QString &option) const { return m_flags.contains(option) || m_values.contains(option); }
    QString value(const QString &option) const { return m_values.value(option); }
    const QStringList &positional() const { return m_positional; }
    Expected<ImageStore> openStore() const;

private:
    bool m_help = false;
    QSet<QString> m_flags;
    QMap<QString, QString> m_values;
    QStringList m_positional;
};

// Prints "stagecraft NAME: MESSAGE" and the help hint on stderr; returns 2.
int usageError(const QString &command, const QString &message);
// Prints "stagecraft NAME: MESSAGE" on stderr; returns 1.
int commandError(const QString &command, const QString &message);

} // namespace stagecraft::app
