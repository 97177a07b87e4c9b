// The value of COPY/ADD --chmod: octal bits (0755) or, as newer BuildKit accepts,
// symbolic clauses (u+x,go-w,a=rX) applied to each copied file's own mode.
#pragma once

#include "core/common/error.h"

#include <QList>
#include <QString>

namespace stagecraft {

class FileModeChange
{
public:
    // BuildKit's rule: octal up to 07777, else chmod(1)-style clauses. The error names the
    // value as BuildKit does ("invalid chmod parameter: '…'").
    static Expected<FileModeChange> parse(const QString &text);

    bool isOctal() const { return m_octal; }
    quint32 octalMode() const { return m_mode; }
    QString text() const { return m_text; }

    // The mode a file of `mode` gets; `X` adds execute only to directories and to files
    // that already have an execute bit.
    quint32 apply(quint32 mode, bool isDirectory) const;

private:
    struct Action
    {
        QChar op;         // '+', '-' or '='
        quint32 bits = 0; // rwx as 4/2/1 per class, plus setuid/setgid/sticky
        bool conditionalX = false;
        QChar copyFrom; // 'u', 'g' or 'o' for `g=u`; null otherwise
    };
    struct Clause
    {
        quint32 who = 0; // mask of the classes (07777 style) the clause touches
        QList<Action> actions;
    };

    bool m_octal = true;
    quint32 m_mode = 0;
    QString m_text;
    QList<Clause> m_clauses;
};

} // namespace stagecraft
