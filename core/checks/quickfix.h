// A quick-fix: what one build-check finding can be changed into, as plain text edits with
// source ranges (and, for a .dockerignore, a file of the build context to write). Computed in
// core from the syntax tree and the plan, so the editor's light bulb and `stagecraft check
// --fix` apply the same change.
#pragma once

#include "core/common/error.h"
#include "core/common/sourcerange.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace stagecraft {

struct TextEdit
{
    SourceRange range; // what is replaced; start == end inserts
    QString newText;

    friend bool operator==(const TextEdit &, const TextEdit &) = default;
};

// A file of the build context the fix writes whole (created when missing).
struct FileWrite
{
    QString path; // relative to the context, "/"-separated: ".dockerignore"
    QString text;

    friend bool operator==(const FileWrite &, const FileWrite &) = default;
};

struct QuickFix
{
    QString title;     // "Use ENV key=value", "Make it multi-stage"
    QString rule;      // the rule of the finding it fixes
    SourceRange range; // the finding's range
    QList<TextEdit> edits;
    QList<FileWrite> files;
    // The title's English template ("Write %1 in JSON form"), marked with QT_TRANSLATE_NOOP in
    // the kTranslationContext context, and what fills its %1, %2…: the window shows the title
    // translated, the command line prints `title`. Null for a title with no template.
    const char *titleSource = nullptr;
    QStringList titleArgs;

    static constexpr const char *kTranslationContext = "stagecraft::QuickFixes";

    // A fix for a finding titled `source` filled with `args` (`source` a literal marked with
    // QT_TRANSLATE_NOOP(kTranslationContext, …)).
    static QuickFix titled(const char *source, const QStringList &args = {});
    // `templ` with %1…%9 replaced by `args` in one pass (an argument's own "%2" stays as is).
    static QString fill(const QString &templ, const QStringList &args);

    // `text` with `edits` applied. Positions past a line's or the text's end mean its end;
    // overlapping edits are an error (two fixes that touch the same words).
    static Expected<QString> apply(QStringView text, QList<TextEdit> edits);
    // Whether two fixes' edits touch the same place (so they cannot be applied together).
    bool overlaps(const QuickFix &other) const;
};

// Line starts of a text, for turning source positions into offsets and back.
class TextLines
{
public:
    explicit TextLines(QStringView text);

    qsizetype offset(SourcePosition position) const; // clamped into the text
    SourcePosition position(qsizetype offset) const;
    int lineCount() const { return int(m_starts.size()); }

private:
    QList<qsizetype> m_starts; // offset of each line's first character
    qsizetype m_size = 0;
};

} // namespace stagecraft
