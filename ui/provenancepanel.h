// Files → Where Did This Come From?: a file of a built image followed back through
// COPY --from to the step that wrote it (core's BuildProvenance), listed a link a row, the
// links' instructions marked in the editor and their stages and edges on the graph.
// Clicking a row moves the editor's cursor to its line. The answer is made on a worker
// thread; a newer question drops an older answer.
#pragma once

#include "core/common/cancellation.h"
#include "core/explain/buildprovenance.h"

#include <QThreadPool>
#include <QWidget>

#include <memory>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace stagecraft::ui {

class DockerfileEditor;
class StageGraphView;

class ProvenancePanel : public QWidget
{
    Q_OBJECT

public:
    // The widgets an answer marks; the window owns them.
    struct Views
    {
        DockerfileEditor *editor = nullptr;
        StageGraphView *graph = nullptr;
    };

    // `path` of `image` (a store reference or manifest digest, as the Files view shows it),
    // which is stage `stage`'s image of the build `record` describes (its Dockerfile empty:
    // no build of a Dockerfile made the image here).
    struct Question
    {
        QString storeRoot;
        QString image;
        QString stage;
        QString path;
        BuildRecord record;
    };

    enum class Outcome { None, Traced, NotFound, NoDockerfile, Failed };
    enum Column { LineColumn, StageColumn, InstructionColumn, PathColumn, ColumnCount };

    explicit ProvenancePanel(const Views &views, QWidget *parent = nullptr);
    ~ProvenancePanel() override;

    void ask(const Question &question);
    // Forgets the answer and takes its marks off the editor and the graph.
    void clear();
    bool waitUntilAnswered(int timeoutMs); // tests, screenshots

    Outcome outcome() const { return m_outcome; }
    const ProvenanceTrace &trace() const { return m_trace; }
    QString summary() const; // the text above the rows
    QTreeWidget *linkView() const { return m_links; }
    // Marks the answer's lines and graph items again (after Esc or an edit took them off).
    void showMarks();

Q_SIGNALS:
    void answered();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Answer;

    void finish(quint64 generation, const std::shared_ptr<const Answer> &answer);
    void fill();
    void activate(QTreeWidgetItem *item);
    QString builtLine(int line) const;

    Views m_views;
    QLabel *m_summary;
    QTreeWidget *m_links;
    std::shared_ptr<const Answer> m_answer;
    Outcome m_outcome = Outcome::None;
    ProvenanceTrace m_trace;
    quint64 m_generation = 0;
    bool m_pending = false;
    CancellationToken m_cancel;
    QThreadPool m_pool;
};

} // namespace stagecraft::ui
