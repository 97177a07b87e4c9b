#include "ui/enginepicker.h"

#include "core/engine/dockerengine.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStandardItemModel>

namespace stagecraft::ui {

namespace {

QString engineTitle(EngineKind kind)
{
    return kind == EngineKind::Docker ? EnginePicker::tr("Docker") : EnginePicker::tr("Embedded");
}

} // namespace

EnginePicker::EnginePicker(QWidget *parent)
    : QWidget(parent)
    , m_box(new QComboBox(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    auto *label = new QLabel(tr("Engine:"), this);
    label->setBuddy(m_box);
    layout->addWidget(label);
    layout->addWidget(m_box);
    m_box->setObjectName(QStringLiteral("engineBox"));
    m_box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    for (EngineKind kind : {EngineKind::Embedded, EngineKind::Docker})
        m_box->addItem(engineTitle(kind), engineKindName(kind));
    connect(m_box, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        const EngineKind kind = engine();
        // Saved at once, as the preferences dialog would: the next build and the next run
        // of Stagecraft use it.
        Preferences saved = Preferences::load();
        saved.engine = kind;
        saved.save();
        m_preferences.engine = kind;
        Q_EMIT engineChosen(kind);
    });
}

EnginePicker::~EnginePicker()
{
    if (m_checker.joinable())
        m_checker.join();
}

void EnginePicker::setPreferences(const Preferences &preferences)
{
    m_preferences = preferences;
    m_updating = true;
    m_box->setCurrentIndex(m_box->findData(engineKindName(preferences.engine)));
    m_updating = false;
    check();
}

EngineKind EnginePicker::engine() const
{
    return engineKindFromName(m_box->currentData().toString()).value_or(EngineKind::Embedded);
}

QString EnginePicker::availabilityText(EngineKind kind) const
{
    const auto it = m_availability.constFind(int(kind));
    if (it == m_availability.cend())
        return {};
    return it->usable ? it->summary : it->reason;
}

bool EnginePicker::isUsable(EngineKind kind) const
{
    return m_availability.value(int(kind)).usable;
}

void EnginePicker::show(EngineKind kind, const EngineAvailability &availability)
{
    m_availability.insert(int(kind), availability);
    const int row = m_box->findData(engineKindName(kind));
    if (row < 0)
        return;
    m_box->setItemText(row, availability.usable ? engineTitle(kind)
                                                : tr("%1 (not available)").arg(engineTitle(kind)));
    m_box->setItemData(row, availability.usable ? availability.summary : availability.reason,
                       Qt::ToolTipRole);
    if (row == m_box->currentIndex())
        m_box->setToolTip(tr("Builds run on: %1").arg(availabilityText(kind)));
}

// The embedded builder is always there; the docker engine is asked on a thread.
void EnginePicker::check()
{
    if (m_checker.joinable())
        m_checker.join();
    EngineAvailability embedded;
    embedded.usable = true;
    embedded.summary = tr("the embedded builder: no daemon, no root");
    show(EngineKind::Embedded, embedded);
    m_availability.remove(int(EngineKind::Docker));
    m_checking = true;
    m_checker = std::thread([this, options = m_preferences.dockerOptions()] {
        const EngineAvailability a = DockerEngine::availability(options);
        // Queued: delivered on the GUI thread; the destructor joins before `this` goes.
        QMetaObject::invokeMethod(
            this,
            [this, a] {
                m_checking = false;
                show(EngineKind::Docker, a);
                Q_EMIT availabilityChecked();
            },
            Qt::QueuedConnection);
    });
}

} // namespace stagecraft::ui
