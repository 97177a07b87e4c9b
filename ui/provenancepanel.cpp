#include "ui/provenancepanel.h"

#include "core/analysis/imagesource.h"
#include "core/common/controlcharacters.h"
#include "core/store/imagestore.h"
#include "ui/dockerfileeditor.h"
#include "ui/eventwait.h"
#include "ui/stagegraphscene.h"
#include "ui/stagegraphview.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace stagecraft::ui {

namespace {

constexpr int kLineRole = Qt::UserRole + 1;
constexpr int kFieldChars = 200; // a hostile instruction or path stays one readable row

QString shown(const QString &text)
{
    return oneLineField(text, kFieldChars);
}

} // namespace

struct ProvenancePanel::Answer
{
    Outcome outcome = Outcome::None;
    QString path;
    QString error; // Failed: core's message
    ProvenanceTrace trace;
    QStringList builtLines;         // the Dockerfile that was built
    QHash<int, QString> baseImages; // stage index → the image its FROM names
};

ProvenancePanel::ProvenancePanel(const Views &views, QWidget *parent)
    : QWidget(parent)
    , m_views(views)
    , m_summary(new QLabel(this))
    , m_links(new QTreeWidget(this))
{
    m_pool.setMaxThreadCount(1);
    m_summary->setObjectName(QStringLiteral("provenanceSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_links->setObjectName(QStringLiteral("provenanceLinks"));
    m_links->setColumnCount(ColumnCount);
    m_links->setRootIsDecorated(false);
    m_links->setUniformRowHeights(true);
    m_links->setAllColumnsShowFocus(true);
    m_links->header()->setStretchLastSection(true);
    m_links->header()->setSectionResizeMode(LineColumn, QHeaderView::ResizeToContents);
    m_links->header()->setSectionResizeMode(StageColumn, QHeaderView::ResizeToContents);
    m_links->header()->setSectionResizeMode(InstructionColumn, QHeaderView::Interactive);
    m_links->header()->resizeSection(InstructionColumn, 320);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_links, 1);
    connect(m_links, &QTreeWidget::itemClicked, this, &ProvenancePanel::activate);
    connect(m_links, &QTreeWidget::itemActivated, this, &ProvenancePanel::activate);
    if (m_views.editor && m_views.graph)
        connect(m_views.editor, &DockerfileEditor::provenanceLinesDismissed, m_views.graph->graphScene(),
                &StageGraphScene::clearTrace);
    fill();
}

ProvenancePanel::~ProvenancePanel()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

void ProvenancePanel::ask(const Question &question)
{
    m_cancel.cancel();
    m_cancel = CancellationToken();
    const quint64 generation = ++m_generation;
    m_pending = true;
    const CancellationToken cancel = m_cancel;
    m_pool.start([this, generation, question, cancel] {
        auto answer = std::make_shared<Answer>();
        answer->path = question.path;
        const auto done = [&] {
            QMetaObject::invokeMethod(
                this, [this, generation, answer] { finish(generation, answer); }, Qt::QueuedConnection);
        };
        if (question.record.dockerfile.isEmpty()) {
            answer->outcome = Outcome::NoDockerfile;
            return done();
        }
        auto store = ImageStore::open(question.storeRoot);
        if (!store) {
            answer->outcome = Outcome::Failed;
            answer->error = store.error().message;
            return done();
        }
        auto image = ImageSource::analyse(question.image, &*store, {}, true, cancel);
        if (!image) {
            if (image.error().isCancelled())
                return;
            answer->outcome = Outcome::Failed;
            answer->error = image.error().message;
            return done();
        }
        auto origin = FileProvenance::inImage(*image->analysis, question.path);
        if (!origin) {
            answer->outcome = Outcome::NotFound;
            answer->error = origin.error().message;
            return done();
        }
        answer->path = origin->path;
        BuildProvenance build(question.record, &*store);
        answer->trace = build.trace(*image->analysis, *origin, question.stage);
        answer->outcome = Outcome::Traced;
        answer->builtLines = question.record.dockerfile.split(QLatin1Char('\n'));
        for (const PlanStage &stage : build.plan().stages())
            answer->baseImages.insert(stage.index, stage.from.base);
        done();
    });
}

void ProvenancePanel::finish(quint64 generation, const std::shared_ptr<const Answer> &answer)
{
    if (generation != m_generation)
        return;
    m_pending = false;
    m_answer = answer;
    m_outcome = answer->outcome;
    m_trace = answer->trace;
    fill();
    showMarks();
    if (m_links->topLevelItemCount() > 0)
        m_links->setCurrentItem(m_links->topLevelItem(0));
    Q_EMIT answered();
}

void ProvenancePanel::clear()
{
    m_cancel.cancel();
    ++m_generation;
    m_pending = false;
    m_answer.reset();
    m_outcome = Outcome::None;
    m_trace = {};
    fill();
    if (m_views.editor)
        m_views.editor->clearProvenanceLines();
    if (m_views.graph)
        m_views.graph->graphScene()->clearTrace();
}

bool ProvenancePanel::waitUntilAnswered(int timeoutMs)
{
    return processEventsUntil([this] { return !m_pending; }, timeoutMs);
}

QString ProvenancePanel::builtLine(int line) const
{
    return m_answer ? m_answer->builtLines.value(line - 1) : QString();
}

QString ProvenancePanel::summary() const
{
    return m_summary->text();
}

void ProvenancePanel::fill()
{
    m_links->setHeaderLabels({tr("Line"), tr("Stage"), tr("Instruction"), tr("Path")});
    m_links->clear();
    if (!m_answer) {
        m_summary->setText(tr("Right-click a file in the Files view and choose Where Did This Come From? to "
                              "follow it back to the instruction that wrote it."));
        return;
    }
    const QString path = shown(m_answer->path);
    const QList<TracedLink> &links = m_trace.links;
    const auto stageName = [](const TracedLink &l) {
        return l.stageIndex >= 0 && l.link.step.stage == QString::number(l.stageIndex)
                   ? tr("stage %1").arg(l.stageIndex)
                   : shown(l.link.step.stage);
    };
    QString text;
    switch (m_outcome) {
    case Outcome::None: break;
    case Outcome::NotFound: text = tr("%1 is not in this image.").arg(path); break;
    case Outcome::NoDockerfile:
        text = tr("No Dockerfile is open for this image: open the Dockerfile that made it and build it to "
                  "see where its files came from.");
        break;
    case Outcome::Failed: text = tr("The image cannot be read: %1").arg(shown(m_answer->error)); break;
    case Outcome::Traced:
        switch (m_trace.gap) {
        case ProvenanceGap::Removed:
            text = tr("%1 was removed from this image: there is no file to follow.").arg(path);
            break;
        case ProvenanceGap::OtherBuild:
            text =
                tr("No step of the last build made the layer that holds %1: the image is of another build.")
                    .arg(path);
            break;
        case ProvenanceGap::RecordUnreadable:
            text = tr("The last build's steps cannot be read, so %1 cannot be followed.").arg(path);
            break;
        case ProvenanceGap::None:
            if (links.isEmpty())
                break;
            const TracedLink &writer = links.last();
            const QString base = shown(m_answer->baseImages.value(writer.stageIndex));
            if (writer.fromBaseImage())
                text = links.size() == 1
                           ? tr("%1 comes from the base image %2 of %3: no instruction of the Dockerfile "
                                "wrote it.")
                                 .arg(path, base, stageName(writer))
                           : tr("%1 comes from the base image %2 of %3 and was copied here by COPY --from.")
                                 .arg(path, base, stageName(writer));
            else
                text = links.size() == 1
                           ? tr("%1 was written by line %2 (%3).")
                                 .arg(path)
                                 .arg(writer.line)
                                 .arg(stageName(writer))
                           : tr("%1 was written by line %2 (%3) and copied here by COPY --from.")
                                 .arg(path)
                                 .arg(writer.line)
                                 .arg(stageName(writer));
            break;
        }
        break;
    }

    const QString current = m_views.editor ? m_views.editor->toPlainText() : QString();
    const QStringList currentLines = current.split(QLatin1Char('\n'));
    bool changed = false;
    for (qsizetype i = 0; i < links.size(); ++i) {
        const TracedLink &l = links[i];
        const ProvenanceStep &step = l.link.step;
        auto *item = new QTreeWidgetItem(m_links);
        item->setData(0, kLineRole, l.line);
        item->setText(LineColumn, l.endLine > l.line ? QStringLiteral("%1–%2").arg(l.line).arg(l.endLine)
                                                     : QString::number(l.line));
        item->setText(StageColumn, stageName(l));
        item->setText(InstructionColumn,
                      shown(l.fromBaseImage() ? builtLine(l.line).trimmed() : step.instruction));
        item->setToolTip(InstructionColumn, item->text(InstructionColumn));
        QString where;
        if (l.fromBaseImage())
            where = tr("%1 in %2").arg(shown(l.link.path), shown(m_answer->baseImages.value(l.stageIndex)));
        else if (!step.copyFrom.isEmpty() && i + 1 < links.size())
            where = QStringLiteral("%1 → %2").arg(shown(links[i + 1].link.path), shown(l.link.path));
        else if (i + 1 == links.size())
            where = tr("writes %1").arg(shown(l.link.path));
        else
            where = shown(l.link.path);
        item->setText(PathColumn, where);
        item->setToolTip(PathColumn, where);
        if (i + 1 == links.size()) {
            QFont bold = item->font(0);
            bold.setBold(true);
            for (int c = 0; c < ColumnCount; ++c)
                item->setFont(c, bold);
            item->setToolTip(LineColumn, l.fromBaseImage() ? tr("The stage's base image holds the file")
                                                           : tr("This instruction wrote the file"));
        }
        if (l.line > 0 && currentLines.value(l.line - 1) != builtLine(l.line))
            changed = true;
    }
    if (changed)
        text += QLatin1Char(' ') +
                tr("The Dockerfile has changed since the build: changed lines are not marked.");
    m_summary->setText(text);
}

void ProvenancePanel::showMarks()
{
    if (!m_views.editor || !m_views.graph)
        return;
    QList<std::pair<int, int>> ranges;
    QSet<int> stages;
    QSet<int> edges;
    const QStringList current = m_views.editor->toPlainText().split(QLatin1Char('\n'));
    const StageGraph &graph = m_views.graph->graphScene()->graph();
    const QList<TracedLink> &links = m_trace.links;
    for (qsizetype i = 0; i < links.size(); ++i) {
        const TracedLink &l = links[i];
        // Only a line the editor still holds as it was built: after an edit, the stages (by
        // index) still show on the graph, but no other line is marked in its place.
        bool same = l.line > 0;
        for (int line = l.line; same && line <= std::max(l.line, l.endLine); ++line)
            same = current.value(line - 1) == builtLine(line);
        if (same)
            ranges.append({l.line, std::max(l.line, l.endLine)});
        if (l.stageIndex < 0 || l.stageIndex >= graph.stages.size())
            continue;
        stages.insert(l.stageIndex);
        const bool copies = !l.link.step.copyFrom.isEmpty();
        if (!copies && !l.fromBaseImage())
            continue;
        const int source = i + 1 < links.size() ? links[i + 1].stageIndex : -1;
        int found = -1;
        for (qsizetype e = 0; e < graph.edges.size(); ++e) {
            const Edge &edge = graph.edges[e];
            if (edge.toStage != l.stageIndex || (edge.kind == EdgeKind::Copy) != copies ||
                (edge.kind == EdgeKind::From) != l.fromBaseImage())
                continue;
            if (same && edge.range.start.line == l.line) {
                found = int(e);
                break;
            }
            if (found < 0 && (l.fromBaseImage() || (source >= 0 && edge.fromStage == source)))
                found = int(e);
        }
        if (found >= 0)
            edges.insert(found);
    }
    m_views.editor->setProvenanceLines(ranges);
    m_views.graph->graphScene()->setTrace(stages, edges);
}

void ProvenancePanel::activate(QTreeWidgetItem *item)
{
    const int line = item ? item->data(0, kLineRole).toInt() : 0;
    if (line <= 0 || !m_views.editor)
        return;
    if (m_views.editor->provenanceLines().isEmpty())
        showMarks();
    m_views.editor->goTo(line, 1);
}

void ProvenancePanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        fill();
    QWidget::changeEvent(event);
}

} // namespace stagecraft::ui
