// One node of the stage graph: a stage (rounded box with name, base image, step count and
// build status) or an external image (a pill). Only draws; the scene decides its state.
#pragma once

#include "core/plan/stagegraph.h"
#include "ui/graphlayout.h"
#include "ui/stagestate.h"

#include <QCoreApplication>
#include <QGraphicsItem>

namespace stagecraft::ui {

class StageGraphScene;

class StageNodeItem : public QGraphicsItem
{
    Q_DECLARE_TR_FUNCTIONS(StageNodeItem)

public:
    enum { Type = UserType + 1 };

    StageNodeItem(StageGraphScene *scene, const LayoutNode &node, const Stage &stage);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    const LayoutNode &node() const { return m_node; }
    bool isStage() const { return m_node.kind == LayoutNodeKind::Stage; }
    int stageIndex() const { return isStage() ? m_node.stage : -1; }
    QSizeF size() const { return m_node.rect.size(); }

    void setLayoutNode(const LayoutNode &node);
    // The same stage with new line numbers (only its tooltip shows them).
    void setStage(const Stage &stage);
    void setTarget(bool target);
    void setSelected(bool selected); // the editor's current stage; not QGraphicsItem selection
    bool isSelectedStage() const { return m_selected; }
    void setHovered(bool hovered);
    void setDropHighlighted(bool highlighted);
    bool isDropHighlighted() const { return m_dropHighlighted; }
    // On a "Where Did This Come From?" chain: ringed in the provenance colour; dimmed: not on it
    // while a chain is shown.
    void setTrace(bool traced, bool dimmed);
    bool isTraced() const { return m_traced; }
    bool isDimmed() const { return m_dimmed; }
    void setErrors(const QStringList &messages);
    // Why the stage's steps that ran were not cached ("step 3: main.go modified").
    void setCacheReasons(const QStringList &reasons);
    void setState(StageState state, const QString &detail);
    StageState state() const { return m_state; }
    QString detail() const { return m_detail; }
    QColor fillColor() const; // the body colour for the current state and palette
    void updateToolTip();

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    void paintStage(QPainter *painter);
    void paintImage(QPainter *painter);
    QString stateText() const;

    StageGraphScene *m_scene;
    LayoutNode m_node;
    Stage m_stage;
    StageState m_state = StageState::Idle;
    QString m_detail;
    QStringList m_errors;
    QStringList m_cacheReasons;
    bool m_target = false;
    bool m_selected = false;
    bool m_hovered = false;
    bool m_dropHighlighted = false;
    bool m_traced = false;
    bool m_dimmed = false;
};

} // namespace stagecraft::ui
