#include "ui/preferencesdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace stagecraft::ui {

PreferencesDialog::PreferencesDialog(const Preferences &preferences, QWidget *parent)
    : QDialog(parent)
    , m_preferences(preferences)
    , m_theme(new QComboBox)
    , m_language(new QComboBox)
    , m_font(new QFontComboBox)
    , m_fontSize(new QSpinBox)
    , m_zoom(new QSpinBox)
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

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch();
    layout->addWidget(buttons);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p = m_preferences;
    p.theme = static_cast<ThemeChoice>(m_theme->currentData().toInt());
    p.language = m_language->currentData().toString();
    p.editorFont = m_font->currentFont();
    p.editorFont.setPointSize(m_fontSize->value());
    p.zoomPercent = m_zoom->value();
    return p;
}

} // namespace stagecraft::ui
