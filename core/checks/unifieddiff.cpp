#include "core/checks/unifieddiff.h"

#include <QList>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace stagecraft {

namespace {

enum class Op { Equal, Delete, Insert };

struct Step
{
    Op op;
    qsizetype a; // line in the old text (Equal, Delete)
    qsizetype b; // line in the new text (Equal, Insert)
};

QStringList splitLines(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList lines = text.split(QLatin1Char('\n'));
    if (text.endsWith(QLatin1Char('\n')))
        lines.removeLast();
    return lines;
}

// Myers' shortest edit script between a[from..aEnd) and b[from..bEnd); false past kMaxEdits.
bool myers(const QStringList &a, const QStringList &b, qsizetype aBegin, qsizetype aEnd, qsizetype bBegin,
           qsizetype bEnd, QList<Step> *out)
{
    const qsizetype n = aEnd - aBegin;
    const qsizetype m = bEnd - bBegin;
    const qsizetype max = std::min<qsizetype>(n + m, UnifiedDiff::kMaxEdits);
    const qsizetype offset = max + 1;
    std::vector<qsizetype> v(size_t(2 * max + 3), 0);
    std::vector<std::vector<qsizetype>> trace;
    qsizetype found = -1;
    for (qsizetype d = 0; d <= max && found < 0; ++d) {
        trace.push_back(v);
        for (qsizetype k = -d; k <= d; k += 2) {
            qsizetype x = (k == -d || (k != d && v[size_t(offset + k - 1)] < v[size_t(offset + k + 1)]))
                              ? v[size_t(offset + k + 1)]
                              : v[size_t(offset + k - 1)] + 1;
            qsizetype y = x - k;
            while (x < n && y < m && a.at(aBegin + x) == b.at(bBegin + y)) {
                ++x;
                ++y;
            }
            v[size_t(offset + k)] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
    }
    if (found < 0)
        return false;
    QList<Step> reversed;
    qsizetype x = n;
    qsizetype y = m;
    for (qsizetype d = qsizetype(trace.size()) - 1; d >= 0; --d) {
        const std::vector<qsizetype> &pv = trace[size_t(d)];
        const qsizetype k = x - y;
        const qsizetype prevK =
            (k == -d || (k != d && pv[size_t(offset + k - 1)] < pv[size_t(offset + k + 1)])) ? k + 1 : k - 1;
        const qsizetype prevX = pv[size_t(offset + prevK)];
        const qsizetype prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            reversed.append({Op::Equal, aBegin + x - 1, bBegin + y - 1});
            --x;
            --y;
        }
        if (d > 0) {
            if (x == prevX)
                reversed.append({Op::Insert, aBegin + x, bBegin + prevY});
            else
                reversed.append({Op::Delete, aBegin + prevX, bBegin + y});
        }
        x = prevX;
        y = prevY;
    }
    std::reverse(reversed.begin(), reversed.end());
    *out += reversed;
    return true;
}

} // namespace

QString UnifiedDiff::make(const QString &oldText, const QString &newText, const QString &oldName,
                          const QString &newName)
{
    if (oldText == newText)
        return {};
    const QStringList a = splitLines(oldText);
    const QStringList b = splitLines(newText);
    // Common head and tail first: fixes are local, so the search is over a small middle.
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a.at(head) == b.at(head))
        ++head;
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head &&
           a.at(a.size() - 1 - tail) == b.at(b.size() - 1 - tail))
        ++tail;
    QList<Step> steps;
    for (qsizetype i = 0; i < head; ++i)
        steps.append({Op::Equal, i, i});
    if (!myers(a, b, head, a.size() - tail, head, b.size() - tail, &steps)) {
        for (qsizetype i = head; i < a.size() - tail; ++i)
            steps.append({Op::Delete, i, head});
        for (qsizetype j = head; j < b.size() - tail; ++j)
            steps.append({Op::Insert, a.size() - tail, j});
    }
    for (qsizetype i = 0; i < tail; ++i)
        steps.append({Op::Equal, a.size() - tail + i, b.size() - tail + i});

    QString out = QStringLiteral("--- %1\n+++ %2\n").arg(oldName, newName);
    constexpr qsizetype kContext = 3;
    qsizetype i = 0;
    while (i < steps.size()) {
        // The next change, and the hunk around it: changes closer than twice the context join.
        while (i < steps.size() && steps.at(i).op == Op::Equal)
            ++i;
        if (i >= steps.size())
            break;
        const qsizetype begin = std::max<qsizetype>(0, i - kContext);
        qsizetype end = i;
        qsizetype equalRun = 0;
        for (qsizetype j = i; j < steps.size(); ++j) {
            if (steps.at(j).op == Op::Equal) {
                if (++equalRun > 2 * kContext)
                    break;
            } else {
                equalRun = 0;
                end = j + 1;
            }
        }
        end = std::min<qsizetype>(steps.size(), end + kContext);
        qsizetype aStart = -1;
        qsizetype bStart = -1;
        qsizetype aCount = 0;
        qsizetype bCount = 0;
        QString body;
        for (qsizetype j = begin; j < end; ++j) {
            const Step &s = steps.at(j);
            if (aStart < 0)
                aStart = s.a;
            if (bStart < 0)
                bStart = s.b;
            switch (s.op) {
            case Op::Equal:
                body += QLatin1Char(' ') + a.at(s.a) + QLatin1Char('\n');
                ++aCount;
                ++bCount;
                break;
            case Op::Delete:
                body += QLatin1Char('-') + a.at(s.a) + QLatin1Char('\n');
                ++aCount;
                break;
            case Op::Insert:
                body += QLatin1Char('+') + b.at(s.b) + QLatin1Char('\n');
                ++bCount;
                break;
            }
        }
        // A side with no lines names the line before the hunk, as diff does.
        const auto range = [](qsizetype start, qsizetype count) {
            return count == 1 ? QString::number(start + 1)
                              : QStringLiteral("%1,%2").arg(count == 0 ? start : start + 1).arg(count);
        };
        out += QStringLiteral("@@ -%1 +%2 @@\n").arg(range(aStart, aCount), range(bStart, bCount)) + body;
        i = end;
    }
    return out;
}

} // namespace stagecraft
