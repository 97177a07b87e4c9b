#include "ui/preferencesdialog.h"

#include "core/engine/dockerengine.h"
#include "core/registry/registrysettings.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace stagecraft::ui {

PreferencesDialog::PreferencesDialog(const Preferences &preferences, QWidget *parent,
                                     const QString &registriesPath)
    : QDialog(parent)
    , m_preferences(preferences)
    , m_theme(new QComboBox)
    , m_language(new QComboBox)
    , m_font(new QFontComboBox)
    , m_fontSize(new QSpinBox)
    , m_zoom(new QSpinBox)
    , m_registriesPath(registriesPath.isEmpty() ? RegistrySettings::defaultPath() : registriesPath)
    , m_registries(new QPlainTextEdit)
    , m_registriesError(new QLabel)
    , m_engine(new QComboBox)
    , m_dockerHost(new QLineEdit)
    , m_dockerBuilder(new QLineEdit)
    , m_checkEngine(new QPushButton(tr("&Check")))
    , m_engineStatus(new QLabel)
{
    setWindowTitle(tr("Preferences"));
    setObjectName(QStringLiteral("PreferencesDialog"));

    m_theme->setObjectName(QStringLiteral("themeBox"));
    m_theme->addItem(tr("Follow the system"), int(ThemeChoice::System));
    m_theme->addItem(tr("Light"), int(ThemeChoice::Light));
    m_theme->addItem(tr("Dark"), int(ThemeChoice::Dark));
    m_theme->setCurrentIndex(m_theme->findData(int(preferences.theme)));

    m_language->setObjectName(QStringLiteral("languageBox"));
    m_language->addItem(tr("Follow the system"), QString());
    // Language names in their own language, so anyone can find theirs.
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(preferences.language)));

    m_font->setObjectName(QStringLiteral("fontBox"));
    m_font->setFontFilters(QFontComboBox::MonospacedFonts);
    m_font->setCurrentFont(preferences.editorFont);
    m_fontSize->setObjectName(QStringLiteral("fontSizeBox"));
    m_fontSize->setRange(6, 72);
    m_fontSize->setSuffix(tr(" pt"));
    m_fontSize->setValue(preferences.editorFont.pointSize());
    m_zoom->setObjectName(QStringLiteral("zoomBox"));
    m_zoom->setRange(Preferences::kMinZoom, Preferences::kMaxZoom);
    m_zoom->setSingleStep(10);
    m_zoom->setSuffix(tr(" %"));
    m_zoom->setValue(preferences.zoomPercent);

    auto *form = new QFormLayout;
    form->addRow(tr("&Theme:"), m_theme);
    form->addRow(tr("&Language:"), m_language);
    auto *languageNote = new QLabel(tr("A new language takes effect when Stagecraft starts again."));
    languageNote->setWordWrap(true);
    languageNote->setEnabled(false);
    form->addRow(QString(), languageNote);
    form->addRow(tr("Editor &font:"), m_font);
    form->addRow(tr("Font &size:"), m_fontSize);
    form->addRow(tr("&Zoom (editor and graph):"), m_zoom);

    // A workshop serves every base image from one local registry: the same file the
    // command line reads, edited as text so what is shown is what is saved.
    m_registries->setObjectName(QStringLiteral("registriesEdit"));
    m_registries->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_registries->setPlaceholderText(tr("docker.io = http://10.0.0.5:5000\ninsecure = 10.0.0.5:5000"));
    m_registries->setTabChangesFocus(true);
    m_registries->setFixedHeight(m_registries->fontMetrics().lineSpacing() * 5 + 12);
    if (auto settings = RegistrySettings::load(m_registriesPath))
        m_registries->setPlainText(QString::fromUtf8(settings->toText()));
    else
        m_registriesError->setText(settings.error().message);
    m_registriesError->setObjectName(QStringLiteral("registriesError"));
    m_registriesError->setWordWrap(true);
    m_registriesError->setStyleSheet(QStringLiteral("color: #c62828"));
    form->addRow(tr("Registry &mirrors:"), m_registries);
    auto *registriesNote = new QLabel(tr("One per line: \"REGISTRY = URL\" fetches that registry's images "
                                         "from URL; \"insecure = HOST:PORT\" "
                                         "allows plain HTTP. Saved in %1.")
                                          .arg(m_registriesPath));
    registriesNote->setWordWrap(true);
    registriesNote->setEnabled(false);
    form->addRow(QString(), registriesNote);
    form->addRow(QString(), m_registriesError);

    m_engine->setObjectName(QStringLiteral("engineBox"));
    m_engine->addItem(tr("Embedded builder (no daemon)"), engineKindName(EngineKind::Embedded));
    m_engine->addItem(tr("Docker engine (the docker command line)"), engineKindName(EngineKind::Docker));
    m_engine->setCurrentIndex(std::max(0, m_engine->findData(engineKindName(preferences.engine))));
    m_dockerHost->setObjectName(QStringLiteral("dockerHostEdit"));
    m_dockerHost->setPlaceholderText(tr("DOCKER_HOST or the docker context"));
    m_dockerHost->setText(preferences.dockerHost);
    m_dockerBuilder->setObjectName(QStringLiteral("dockerBuilderEdit"));
    m_dockerBuilder->setPlaceholderText(tr("the default builder"));
    m_dockerBuilder->setText(preferences.dockerBuilder);
    m_checkEngine->setObjectName(QStringLiteral("checkEngineButton"));
    m_engineStatus->setObjectName(QStringLiteral("engineStatus"));
    m_engineStatus->setWordWrap(true);
    m_engineStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const auto updateEngineFields = [this] {
        const bool docker = m_engine->currentData().toString() == engineKindName(EngineKind::Docker);
        m_dockerHost->setEnabled(docker);
        m_dockerBuilder->setEnabled(docker);
        m_engineStatus->clear();
    };
    connect(m_engine, &QComboBox::currentIndexChanged, this, updateEngineFields);
    updateEngineFields();
    connect(m_checkEngine, &QPushButton::clicked, this, &PreferencesDialog::checkEngine);
    connect(this, &PreferencesDialog::engineChecked, this, [this](bool usable, const QString &text) {
        m_checkEngine->setEnabled(true);
        m_engineStatus->setStyleSheet(usable ? QString() : QStringLiteral("color: #c62828"));
        m_engineStatus->setText(usable ? tr("Builds with %1.").arg(text) : text);
    });
    auto *engineRow = new QHBoxLayout;
    engineRow->addWidget(m_engine, 1);
    engineRow->addWidget(m_checkEngine);
    form->addRow(tr("Build engine:"), engineRow);
    form->addRow(tr("Docker &host:"), m_dockerHost);
    form->addRow(tr("buildx b&uilder:"), m_dockerBuilder);
    form->addRow(QString(), m_engineStatus);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch();
    layout->addWidget(buttons);
}

PreferencesDialog::~PreferencesDialog()
{
    if (m_checker.joinable())
        m_checker.join();
}

// Asks the chosen engine whether it can build, on a thread: the docker engine's answer
// is a round trip to its daemon.
void PreferencesDialog::checkEngine()
{
    if (m_checker.joinable())
        m_checker.join();
    m_checkEngine->setEnabled(false);
    m_engineStatus->setStyleSheet(QString());
    m_engineStatus->setText(tr("Checking…"));
    const Preferences chosen = preferences();
    if (chosen.engine == EngineKind::Embedded) {
        Q_EMIT engineChecked(true, tr("the embedded builder"));
        return;
    }
    m_checker = std::thread([this, options = chosen.dockerOptions()] {
        const EngineAvailability a = DockerEngine::availability(options);
        // Queued: delivered on the GUI thread, and not at all once the dialog is gone.
        QMetaObject::invokeMethod(
            this, [this, a] { Q_EMIT engineChecked(a.usable, a.usable ? a.summary : a.reason); },
            Qt::QueuedConnection);
    });
}

void PreferencesDialog::accept()
{
    auto settings = RegistrySettings::parse(m_registries->toPlainText().toUtf8(), m_registriesPath);
    if (!settings) {
        m_registriesError->setText(settings.error().message);
        m_registries->setFocus();
        return;
    }
    const auto current = RegistrySettings::load(m_registriesPath);
    if (!current || current->toText() != settings->toText()) {
        if (auto saved = settings->save(m_registriesPath); !saved) {
            m_registriesError->setText(saved.error().message);
            return;
        }
    }
    m_registriesError->clear();
    QDialog::accept();
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p = m_preferences;
    p.theme = static_cast<ThemeChoice>(m_theme->currentData().toInt());
    p.language = m_language->currentData().toString();
    p.editorFont = m_font->currentFont();
    p.editorFont.setPointSize(m_fontSize->value());
    p.zoomPercent = m_zoom->value();
    p.engine = engineKindFromName(m_engine->currentData().toString()).value_or(EngineKind::Embedded);
    p.dockerHost = m_dockerHost->text().trimmed();
    p.dockerBuilder = m_dockerBuilder->text().trimmed();
    return p;
}

} // namespace stagecraft::ui
