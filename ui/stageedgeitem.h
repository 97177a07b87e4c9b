// One edge of the stage graph: FROM solid, COPY --from dashed with the copied paths as a
// label, RUN --mount=from= dotted; an arrowhead at the stage that depends on the source.
#pragma once

#include "core/plan/stagegraph.h"

#include <QGraphicsItem>
#include <QPainterPath>

namespace stagecraft::ui {

class StageGraphScene;

class StageEdgeItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 2 };

    StageEdgeItem(StageGraphScene *scene, const Edge &edge, int edgeIndex);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    int edgeIndex() const { return m_edgeIndex; }
    const Edge &edge() const { return m_edge; }
    const QList<QPointF> &points() const { return m_points; }
    QString label() const { return m_label; }

    void setPoints(const QList<QPointF> &points, bool backward);
    void setLabel(const QString &label); // drawn once per bundle of COPY edges
    // Where the label could go, best first (the middle of each gap the edge crosses, then of
    // each column it runs through), its size, and which place the scene chose (-1 hides it).
    QList<QPointF> labelCandidates() const;
    QSizeF labelSize() const;
    void setLabelPlacement(int candidate);
    bool isLabelShown() const { return !m_labelRect.isEmpty(); }
    void setNeeded(bool needed);
    void setEmphasized(bool emphasized);
    // On a "Where Did This Come From?" chain: drawn in the provenance colour; dimmed: not on
    // it while a chain is shown.
    void setTrace(bool traced, bool dimmed);
    bool isTraced() const { return m_traced; }
    bool isDimmed() const { return m_dimmed; }

private:
    void rebuild();

    StageGraphScene *m_scene;
    Edge m_edge;
    int m_edgeIndex;
    QList<QPointF> m_points;
    bool m_backward = false;
    QString m_label;
    int m_labelPlacement = 0;
    bool m_needed = true;
    bool m_emphasized = false;
    bool m_traced = false;
    bool m_dimmed = false;
    QPainterPath m_path;
    QPolygonF m_arrow;
    QRectF m_labelRect; // empty without a label
    QString m_shownLabel;
    QRectF m_bounds;
};

} // namespace stagecraft::ui
