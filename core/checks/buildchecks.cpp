#include "core/checks/buildchecks.h"

#include "core/dockerfile/shelllex.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <array>
#include <utility>

namespace stagecraft {

namespace {

struct RuleText
{
    const char *name;
    const char *description;
    const char *url;
    bool experimental;
};

// BuildKit's frontend/dockerfile/linter ruleset (tests/data/dockerfile/checks.json).
constexpr std::array<RuleText, 21> kRules{{
    {"StageNameCasing", "Stage names should be lowercase",
     "https://docs.docker.com/go/dockerfile/rule/stage-name-casing/", false},
    {"FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword",
     "https://docs.docker.com/go/dockerfile/rule/from-as-casing/", false},
    {"NoEmptyContinuation", "Empty continuation lines will become errors in a future release",
     "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/", false},
    {"ConsistentInstructionCasing",
     "All commands within the Dockerfile should use the same casing (either upper or lower)",
     "https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/", false},
    {"DuplicateStageName", "Stage names should be unique",
     "https://docs.docker.com/go/dockerfile/rule/duplicate-stage-name/", false},
    {"ReservedStageName", "Reserved words should not be used as stage names",
     "https://docs.docker.com/go/dockerfile/rule/reserved-stage-name/", false},
    {"JSONArgsRecommended",
     "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
     "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/", false},
    {"MaintainerDeprecated",
     "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
     "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/", false},
    {"UndefinedArgInFrom", "FROM command must use declared ARGs",
     "https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/", false},
    {"WorkdirRelativePath",
     "Relative workdir without an absolute workdir declared within the build can have unexpected results if "
     "the base image changes",
     "https://docs.docker.com/go/dockerfile/rule/workdir-relative-path/", false},
    {"UndefinedVar", "Variables should be defined before their use",
     "https://docs.docker.com/go/dockerfile/rule/undefined-var/", false},
    {"MultipleInstructionsDisallowed",
     "Multiple instructions of the same type should not be used in the same stage",
     "https://docs.docker.com/go/dockerfile/rule/multiple-instructions-disallowed/", false},
    {"LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used",
     "https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/", false},
    {"RedundantTargetPlatform",
     "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
     "https://docs.docker.com/go/dockerfile/rule/redundant-target-platform/", false},
    {"SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands",
     "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/", false},
    {"InvalidDefaultArgInFrom", "Default value for global ARG results in an empty or invalid base image name",
     "https://docs.docker.com/go/dockerfile/rule/invalid-default-arg-in-from/", false},
    {"FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value",
     "https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/", false},
    {"CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore",
     "https://docs.docker.com/go/dockerfile/rule/copy-ignored-file/", true},
    {"InvalidDefinitionDescription",
     "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If "
     "this "
     "is not intended to be a description comment, add an empty line or comment between the instruction and "
     "the "
     "comment.",
     "https://docs.docker.com/go/dockerfile/rule/invalid-definition-description/", true},
    {"ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase",
     "https://docs.docker.com/go/dockerfile/rule/expose-proto-casing/", false},
    {"ExposeInvalidFormat",
     "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error "
     "in a "
     "future release",
     "https://docs.docker.com/go/dockerfile/rule/expose-invalid-format/", false},
}};

// Build arguments BuildKit reads itself; they never count as undefined variables.
bool isNonEnvArg(const QString &name)
{
    return name == QLatin1String("BUILDKIT_SBOM_SCAN_CONTEXT") ||
           name == QLatin1String("BUILDKIT_SBOM_SCAN_STAGE");
}

bool isLower(const QString &s)
{
    return s == s.toLower();
}

bool isUpper(const QString &s)
{
    return s == s.toUpper();
}

// Go's %q for the simple strings rule messages quote.
QString quoted(const QString &s)
{
    QString out;
    out.reserve(s.size() + 2);
    out += QLatin1Char('"');
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QLatin1String("\\\""); break;
        case '\\': out += QLatin1String("\\\\"); break;
        case '\n': out += QLatin1String("\\n"); break;
        case '\t': out += QLatin1String("\\t"); break;
        case '\r': out += QLatin1String("\\r"); break;
        default: out += c; break;
        }
    }
    out += QLatin1Char('"');
    return out;
}

int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Edit-distance cells one check run may spend on "did you mean" suggestions. Ordinary files
// use a tiny fraction; a file naming tens of thousands of undefined variables among tens of
// thousands of defined ones would otherwise spend minutes here. Past it, no suggestions.
constexpr qint64 kSuggestionBudget = qint64(16) << 20;

// BuildKit's suggest.Search: the closest option within edit distance 2; nothing when the
// value itself is an option. `budget` (options looked at plus cells of the edit-distance
// table) bounds the work.
QString closestName(const QString &value, const QStringList &options, qint64 *budget)
{
    *budget -= options.size();
    if (*budget < 0)
        return {};
    QString match;
    int best = 3;
    for (const QString &option : options) {
        if (option == value)
            return {};
        // Names whose lengths differ by more than two are more than two edits apart.
        if (std::abs(option.size() - value.size()) > 2)
            continue;
        *budget -= qint64(option.size() + 1) * qint64(value.size() + 1);
        if (*budget < 0)
            return {};
        const int d = editDistance(value, option);
        if (d < best) {
            best = d;
            match = option;
        }
    }
    return match;
}

// The variables of a build stage in definition order (suggestions follow that order).
class Environment
{
public:
    std::optional<QString> get(const QString &key) const
    {
        const auto it = m_index.constFind(key);
        if (it == m_index.constEnd())
            return std::nullopt;
        return m_vars.at(*it).second;
    }
    void set(const QString &key, const QString &value)
    {
        const auto it = m_index.constFind(key);
        if (it != m_index.constEnd()) {
            m_vars[*it].second = value;
            return;
        }
        m_index.insert(key, m_vars.size());
        m_vars.append({key, value});
    }
    qsizetype size() const { return m_vars.size(); }
    QStringList keys() const
    {
        QStringList out;
        out.reserve(m_vars.size());
        for (const auto &kv : m_vars)
            out.append(kv.first);
        return out;
    }
    ShellLex::EnvLookup lookup() const
    {
        return [this](const QString &name) { return get(name); };
    }

private:
    QList<std::pair<QString, QString>> m_vars;
    QHash<QString, qsizetype> m_index; // key → its place in m_vars
};

struct Platform
{
    QString os;
    QString arch;
    QString variant;
};

QString normalizedArch(const QString &arch)
{
    const QString a = arch.toLower();
    if (a == QLatin1String("i386"))
        return QStringLiteral("386");
    if (a == QLatin1String("x86_64") || a == QLatin1String("x86-64"))
        return QStringLiteral("amd64");
    if (a == QLatin1String("aarch64"))
        return QStringLiteral("arm64");
    if (a == QLatin1String("armhf") || a == QLatin1String("armel"))
        return QStringLiteral("arm");
    return a;
}

// containerd's platforms.Parse, reduced to what the checks need: os/arch[/variant], or a
// lone OS or architecture. nullopt when the specifier would be rejected.
std::optional<Platform> parsePlatform(const QString &text)
{
    static const QStringList kOses = {
        QStringLiteral("aix"),       QStringLiteral("android"), QStringLiteral("darwin"),
        QStringLiteral("dragonfly"), QStringLiteral("freebsd"), QStringLiteral("hurd"),
        QStringLiteral("illumos"),   QStringLiteral("ios"),     QStringLiteral("js"),
        QStringLiteral("linux"),     QStringLiteral("nacl"),    QStringLiteral("netbsd"),
        QStringLiteral("openbsd"),   QStringLiteral("plan9"),   QStringLiteral("solaris"),
        QStringLiteral("wasip1"),    QStringLiteral("windows"), QStringLiteral("zos")};
    static const QStringList kArches = {
        QStringLiteral("386"),     QStringLiteral("amd64"),   QStringLiteral("amd64p32"),
        QStringLiteral("arm"),     QStringLiteral("armbe"),   QStringLiteral("arm64"),
        QStringLiteral("arm64be"), QStringLiteral("loong64"), QStringLiteral("mips"),
        QStringLiteral("mipsle"),  QStringLiteral("mips64"),  QStringLiteral("mips64le"),
        QStringLiteral("ppc"),     QStringLiteral("ppc64"),   QStringLiteral("ppc64le"),
        QStringLiteral("riscv"),   QStringLiteral("riscv64"), QStringLiteral("s390"),
        QStringLiteral("s390x"),   QStringLiteral("sparc"),   QStringLiteral("sparc64"),
        QStringLiteral("wasm")};
    static const QRegularExpression kComponent(QStringLiteral("^[A-Za-z0-9_-]+$"));

    const QStringList parts = text.split(QLatin1Char('/'));
    if (parts.isEmpty() || parts.size() > 3)
        return std::nullopt;
    for (const QString &p : parts)
        if (!kComponent.match(p).hasMatch())
            return std::nullopt;
    Platform p;
    if (parts.size() == 1) {
        const QString word = parts.first().toLower();
        if (kOses.contains(word) || word == QLatin1String("macos")) {
            p.os = word == QLatin1String("macos") ? QStringLiteral("darwin") : word;
            p.arch = QStringLiteral("amd64");
        } else if (kArches.contains(normalizedArch(word))) {
            p.os = QStringLiteral("linux");
            p.arch = normalizedArch(word);
        } else {
            return std::nullopt;
        }
        return p;
    }
    p.os = parts.at(0).toLower();
    if (p.os == QLatin1String("macos"))
        p.os = QStringLiteral("darwin");
    p.arch = normalizedArch(parts.at(1));
    if (parts.size() == 3)
        p.variant = parts.at(2).toLower();
    return p;
}

// distribution/reference's ParseNormalizedNamed, as a yes/no: is `ref` a usable image name?
bool isValidImageReference(const QString &ref)
{
    static const QRegularExpression kHexId(QStringLiteral("^[a-f0-9]{64}$"));
    static const QString kDomainComponent =
        QStringLiteral("(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])");
    static const QString kDomain =
        QStringLiteral("(?:%1(?:\\.%1)*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?").arg(kDomainComponent);
    static const QString kPathComponent = QStringLiteral("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
    static const QRegularExpression kReference(
        QStringLiteral("^(%1/%2(?:/%2)*)(?::[\\w][\\w.-]{0,127})?"
                       "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")
            .arg(kDomain, kPathComponent));

    if (ref.isEmpty() || kHexId.match(ref).hasMatch())
        return false;
    QString domain = QStringLiteral("docker.io");
    QString remainder = ref;
    const qsizetype slash = ref.indexOf(QLatin1Char('/'));
    if (slash >= 0) {
        const QString first = ref.left(slash);
        if (first.contains(QLatin1Char('.')) || first.contains(QLatin1Char(':')) ||
            first == QLatin1String("localhost") || !isLower(first)) {
            domain = first;
            remainder = ref.mid(slash + 1);
        }
    }
    const qsizetype colon = remainder.indexOf(QLatin1Char(':'));
    const QString remoteName = colon >= 0 ? remainder.left(colon) : remainder;
    if (!isLower(remoteName))
        return false;
    const QRegularExpressionMatch m = kReference.match(domain + QLatin1Char('/') + remainder);
    return m.hasMatch() && m.capturedLength(1) <= 255;
}

// The stage's OS is unknown without its image, so Windows forms (C:\go, \app) count as
// absolute as well as /app.
bool isAbsolutePath(const QString &path)
{
    static const QRegularExpression kDrive(QStringLiteral("^[A-Za-z]:[\\\\/]"));
    return path.startsWith(QLatin1Char('/')) || path.startsWith(QLatin1Char('\\')) ||
           kDrive.match(path).hasMatch();
}

bool isSecretKey(const QString &key)
{
    static const QRegularExpression kDeny(
        QStringLiteral(
            "(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression kAllow(QStringLiteral("(?:_|^)(?:public)(?:_|$)"),
                                           QRegularExpression::CaseInsensitiveOption);
    return kDeny.match(key).hasMatch() && !kAllow.match(key).hasMatch();
}

struct Stage
{
    const Instruction *from = nullptr;
    QString name;     // lower-cased `AS` name (BuildKit compares names that way); empty when unnamed
    QString baseName; // as written
    QString platform; // --platform as written; empty when absent
    QList<const Instruction *> commands;

    // What dispatching the stage accumulates, inherited by stages built `FROM` it.
    Environment env;
    QSet<QString> buildArgs; // ARG names declared in the stage, with or without a value
    bool workdirSet = false;
    bool shellSet = false;
};

class Checker
{
public:
    Checker(const Dockerfile &dockerfile, const BuildCheckOptions &options)
        : m_df(dockerfile)
        , m_options(options)
        , m_lex(dockerfile.directives.escape)
    {
        m_lex.setBudget(&m_budget);
    }

    Diagnostics run();

private:
    // Expands `word` written at `range` (its text starting `offset` characters in) and
    // reports a limit that stopped it as an error at the reference's line and column.
    ShellResult expandWord(const ShellLex &lex, const QString &word, const ShellLex::EnvLookup &env,
                           const SourceRange &range, qsizetype offset = 0, bool splitWords = false);
    void report(const char *rule, const Instruction &ins, const SourceRange &range, const QString &message);
    void report(const char *rule, const Instruction &ins, const QString &message)
    {
        report(rule, ins, ins.range, message);
    }

    void collectStages();
    void checkParsedInstructions();
    void checkNoEmptyContinuation();
    void checkStageNames();
    void checkCommandCasing();
    void checkDescription(const Instruction &ins, const QString &instruction, const QStringList &keys);
    Environment defaultArgs() const;
    Environment metaArgs(const Environment &defaults, const QHash<QString, QString> &buildArgs, bool *ok);
    void checkBaseImagesWithDefaults(const Environment &defaults);
    void checkFromLines();
    void dispatchStage(int index);
    void dispatch(Stage &stage, const Instruction &ins);
    QString expand(Stage &stage, const Instruction &ins, const QString &word, const SourceRange &range,
                   qsizetype offset = 0);
    void reportUnmatched(const Stage &stage, const Instruction &ins, const SourceRange &range,
                         const QStringList &unmatched);
    void checkUsedOnce(const Instruction &ins, const Instruction *&previous);
    void checkCopy(Stage &stage, const Instruction &ins);
    void checkExpose(Stage &stage, const Instruction &ins);

    const Dockerfile &m_df;
    const BuildCheckOptions &m_options;
    CheckDirective m_directive;
    ShellLex m_lex;
    QList<const Instruction *> m_metaArgs;
    QList<Stage> m_stages;
    Environment m_globalArgs;
    QStringList m_allMetaArgKeys;
    // ONBUILD triggers of a parent stage run in the child; BuildKit reports them at the
    // child's FROM line.
    QHash<const Instruction *, const Instruction *> m_triggerFrom;
    Diagnostics m_out;
    QSet<QString> m_reported;          // place, rule and message of each diagnostic in m_out
    QHash<QString, int> m_namedStages; // stage name → the last stage so named dispatched so far
    ExpansionBudget m_budget;
    bool m_budgetReported = false;
    qint64 m_suggestionBudget = kSuggestionBudget;
};

// Where `offset` falls in a here-document's body: the body starts on the line after the
// `<<` marker.
SourceRange rangeInHeredoc(const Heredoc &doc, qsizetype offset)
{
    if (offset < 0)
        return doc.range;
    const QStringView before = QStringView(doc.content).left(offset);
    const qsizetype newlines = before.count(QLatin1Char('\n'));
    const qsizetype lineStart = before.lastIndexOf(QLatin1Char('\n')) + 1;
    const SourcePosition at{doc.range.start.line + 1 + int(newlines), int(offset - lineStart) + 1};
    return {at, {at.line, at.column + 1}};
}

QString diagnosticKey(const Diagnostic &d)
{
    return QStringLiteral("%1:%2:%3:%4:%5\n%6")
        .arg(d.range.start.line)
        .arg(d.range.start.column)
        .arg(d.range.end.line)
        .arg(d.range.end.column)
        .arg(d.rule, d.message);
}

ShellResult Checker::expandWord(const ShellLex &lex, const QString &word, const ShellLex::EnvLookup &env,
                                const SourceRange &range, qsizetype offset, bool splitWords)
{
    ShellResult r = splitWords ? lex.processWords(word, env) : lex.processWord(word, env);
    if (!r.limitExceeded())
        return r;
    // Once the budget is spent every later word fails the same way: say it once.
    if (r.errorKind == ShellErrorKind::Budget) {
        if (m_budgetReported)
            return r;
        m_budgetReported = true;
    }
    Diagnostic d;
    d.severity = Severity::Error;
    d.range = rangeInWord(range, offset + std::max<qsizetype>(0, r.errorOffset));
    d.message = r.error;
    const QString key = diagnosticKey(d);
    if (!m_reported.contains(key)) {
        m_reported.insert(key);
        m_out.append(d);
    }
    return r;
}

void Checker::report(const char *rule, const Instruction &ins, const SourceRange &range,
                     const QString &message)
{
    const auto it = std::find_if(kRules.begin(), kRules.end(),
                                 [rule](const RuleText &r) { return qstrcmp(r.name, rule) == 0; });
    if (it == kRules.end() || !m_directive.enables(QLatin1String(rule), it->experimental))
        return;
    Diagnostic d;
    d.severity = m_directive.error ? Severity::Error : Severity::Warning;
    // BuildKit points at the instruction; a narrower range is kept only while it starts on
    // the same line, so "line N" stays what `docker build --check` prints.
    d.range = (range.isValid() && range.start.line == ins.range.start.line) ? range : ins.range;
    if (const auto trigger = m_triggerFrom.constFind(&ins); trigger != m_triggerFrom.constEnd())
        d.range = (*trigger)->range;
    d.message = message;
    d.rule = QLatin1String(rule);
    d.url = QLatin1String(it->url);
    const QString key = diagnosticKey(d);
    if (!m_reported.contains(key)) {
        m_reported.insert(key);
        m_out.append(d);
    }
}

Diagnostics Checker::run()
{
    const auto override = m_options.buildArgs.constFind(QStringLiteral("BUILDKIT_DOCKERFILE_CHECK"));
    m_directive =
        CheckDirective::parse(override != m_options.buildArgs.constEnd() ? *override : m_df.directives.check);
    if (!m_directive.problem.isEmpty()) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.range = {{1, 1}, {1, 1}};
        d.message = QStringLiteral("failed to parse check options: ") + m_directive.problem;
        return {d};
    }

    collectStages();
    checkNoEmptyContinuation();
    checkParsedInstructions();
    if (!m_stages.isEmpty()) {
        checkStageNames();
        checkCommandCasing();
        const Environment defaults = defaultArgs();
        checkBaseImagesWithDefaults(defaults);
        bool ok = true;
        m_globalArgs = metaArgs(defaults, m_options.buildArgs, &ok);
        checkFromLines();
        for (int i = 0; i < m_stages.size(); ++i)
            dispatchStage(i);
    }

    std::stable_sort(m_out.begin(), m_out.end(), [](const Diagnostic &a, const Diagnostic &b) {
        if (a.range.start.line != b.range.start.line)
            return a.range.start.line < b.range.start.line;
        return a.message < b.message;
    });
    return m_out;
}

void Checker::collectStages()
{
    for (const Instruction &ins : m_df.instructions) {
        if (ins.kind == InstructionKind::From) {
            Stage stage;
            stage.from = &ins;
            if (!ins.args.isEmpty())
                stage.baseName = ins.args.first().text;
            if (ins.args.size() == 3 &&
                ins.args.at(1).text.compare(QLatin1String("as"), Qt::CaseInsensitive) == 0)
                stage.name = ins.args.at(2).text.toLower();
            stage.platform = ins.flagValue(QStringLiteral("platform"));
            m_stages.append(std::move(stage));
        } else if (m_stages.isEmpty()) {
            if (ins.kind == InstructionKind::Arg)
                m_metaArgs.append(&ins);
        } else {
            m_stages.last().commands.append(&ins);
        }
    }
}

void Checker::checkNoEmptyContinuation()
{
    // BuildKit warns once per instruction, at the instruction's last line.
    QSet<const Instruction *> reported;
    const QList<Instruction> &all = m_df.instructions;
    for (const int line : m_df.emptyContinuationLines) {
        // Instructions are in file order and never overlap: only the last one starting
        // above the line can contain it.
        const auto after = std::upper_bound(all.cbegin(), all.cend(), line, [](int l, const Instruction &i) {
            return l <= i.range.start.line;
        });
        if (after == all.cbegin())
            continue;
        const Instruction &ins = *(after - 1);
        if (line <= ins.range.start.line || line > ins.range.end.line || reported.contains(&ins))
            continue;
        reported.insert(&ins);
        const int last = ins.range.end.line;
        const SourceRange range{{last, 1}, {last, std::max(1, ins.range.end.column)}};
        Diagnostic d;
        d.severity = m_directive.error ? Severity::Error : Severity::Warning;
        d.range = range;
        d.message = QStringLiteral("Empty continuation line");
        d.rule = QStringLiteral("NoEmptyContinuation");
        d.url = QLatin1String(kRules[2].url);
        if (m_directive.enables(d.rule, false))
            m_out.append(d);
    }
}

// The rules BuildKit applies while turning the syntax tree into instructions.
void Checker::checkParsedInstructions()
{
    for (const Instruction &ins : m_df.instructions) {
        switch (ins.kind) {
        case InstructionKind::Maintainer:
            report("MaintainerDeprecated", ins, ins.keywordRange,
                   QStringLiteral("Maintainer instruction is deprecated in favor of using label"));
            break;
        case InstructionKind::From: {
            if (ins.args.size() == 3 && !isLower(ins.args.at(2).text)) {
                report("StageNameCasing", ins, ins.args.at(2).range,
                       QStringLiteral("Stage name '%1' should be lowercase").arg(ins.args.at(2).text));
            }
            if (ins.args.size() >= 3) {
                const QString &as = ins.args.at(1).text;
                const bool fromLower = isLower(ins.keyword);
                const bool fromUpper = isUpper(ins.keyword);
                // A mixed-case FROM is ConsistentInstructionCasing's business, not this rule's.
                const bool mismatch =
                    (fromLower && !isLower(as)) || (!fromLower && fromUpper && !isUpper(as));
                if (mismatch) {
                    report(
                        "FromAsCasing", ins, ins.args.at(1).range,
                        QStringLiteral("'%1' and '%2' keywords' casing do not match").arg(as, ins.keyword));
                }
            }
            if (ins.args.size() == 3 &&
                ins.args.at(1).text.compare(QLatin1String("as"), Qt::CaseInsensitive) == 0)
                checkDescription(ins, QStringLiteral("FROM"), {ins.args.at(2).text.toLower()});
            break;
        }
        case InstructionKind::Arg: {
            QStringList keys;
            for (const KeyValue &kv : ins.pairs)
                keys.append(kv.key);
            checkDescription(ins, QStringLiteral("ARG"), keys);
            break;
        }
        default: break;
        }
    }
}

void Checker::checkDescription(const Instruction &ins, const QString &instruction, const QStringList &keys)
{
    if (ins.comments.isEmpty() || keys.isEmpty())
        return;
    const QString firstWord = ins.comments.last().section(QLatin1Char(' '), 0, 0);
    if (keys.contains(firstWord))
        return;
    const QString example = keys.size() > 1 ? QStringLiteral("<arg_key>") : keys.first();
    report("InvalidDefinitionDescription", ins,
           QStringLiteral("Comment for %1 should follow the format: `# %2 <description>`")
               .arg(instruction, example));
}

void Checker::checkStageNames()
{
    QSet<QString> seen;
    for (const Stage &stage : std::as_const(m_stages)) {
        if (stage.name.isEmpty())
            continue;
        const Instruction &from = *stage.from;
        const SourceRange nameRange = from.args.size() == 3 ? from.args.at(2).range : from.range;
        if (stage.name == QLatin1String("context") || stage.name == QLatin1String("scratch")) {
            report("ReservedStageName", from, nameRange,
                   QStringLiteral("Stage name should not use the same name as reserved stage %1")
                       .arg(quoted(stage.name)));
        }
        if (seen.contains(stage.name)) {
            report("DuplicateStageName", from, nameRange,
                   QStringLiteral("Duplicate stage name %1, stage names should be unique")
                       .arg(quoted(stage.name)));
        }
        seen.insert(stage.name);
    }
}

void Checker::checkCommandCasing()
{
    // Only instructions inside stages count (ARGs before the first FROM do not), as in BuildKit.
    QList<const Instruction *> all;
    for (const Stage &stage : std::as_const(m_stages)) {
        all.append(stage.from);
        all.append(stage.commands);
    }
    int lower = 0;
    int upper = 0;
    for (const Instruction *ins : std::as_const(all)) {
        if (ins->kind == InstructionKind::Unknown)
            continue;
        if (isLower(ins->keyword))
            ++lower;
        else if (isUpper(ins->keyword))
            ++upper;
    }
    const bool majorityLower = lower > upper;
    for (const Instruction *ins : std::as_const(all)) {
        if (ins->kind == InstructionKind::Unknown)
            continue;
        QString expected;
        if (majorityLower && !isLower(ins->keyword))
            expected = QStringLiteral("lowercase");
        else if (!majorityLower && !isUpper(ins->keyword))
            expected = QStringLiteral("uppercase");
        if (!expected.isEmpty()) {
            report("ConsistentInstructionCasing", *ins, ins->keywordRange,
                   QStringLiteral("Command '%1' should match the case of the command majority (%2)")
                       .arg(ins->keyword, expected));
        }
    }
}

// The automatic platform arguments every build has (BUILDPLATFORM, TARGETOS, …).
Environment Checker::defaultArgs() const
{
    const std::optional<Platform> build = parsePlatform(m_options.buildPlatform);
    const std::optional<Platform> target = parsePlatform(m_options.targetPlatform);
    const Platform b = build.value_or(Platform{QStringLiteral("linux"), QStringLiteral("amd64"), {}});
    const Platform t = target.value_or(b);
    const auto format = [](const Platform &p) {
        QString s = p.os + QLatin1Char('/') + p.arch;
        if (!p.variant.isEmpty())
            s += QLatin1Char('/') + p.variant;
        return s;
    };
    Environment env;
    const std::array<std::pair<const char *, QString>, 11> values{{
        {"BUILDPLATFORM", format(b)},
        {"BUILDOS", b.os},
        {"BUILDOSVERSION", QString()},
        {"BUILDARCH", b.arch},
        {"BUILDVARIANT", b.variant},
        {"TARGETPLATFORM", format(t)},
        {"TARGETOS", t.os},
        {"TARGETOSVERSION", QString()},
        {"TARGETARCH", t.arch},
        {"TARGETVARIANT", t.variant},
        {"TARGETSTAGE", m_stages.isEmpty() ? QString() : m_stages.last().name},
    }};
    for (const auto &[key, value] : values) {
        const QString name = QLatin1String(key);
        env.set(name, m_options.buildArgs.value(name, value));
    }
    return env;
}

// BuildKit's buildMetaArgs: the ARGs before the first FROM, evaluated in order.
Environment Checker::metaArgs(const Environment &defaults, const QHash<QString, QString> &buildArgs, bool *ok)
{
    Environment args = defaults;
    *ok = true;
    for (const Instruction *ins : m_metaArgs) {
        for (const KeyValue &kv : ins->pairs) {
            std::optional<QString> value;
            const auto given = buildArgs.constFind(kv.key);
            if (given != buildArgs.constEnd()) {
                value = *given;
            } else if (kv.hasEquals) {
                const ShellResult r = expandWord(m_lex, kv.value, args.lookup(), kv.range, kv.key.size() + 1);
                if (!r.ok()) {
                    *ok = false;
                    return args;
                }
                value = r.value;
            }
            if (value)
                args.set(kv.key, *value);
        }
    }
    return args;
}

void Checker::checkBaseImagesWithDefaults(const Environment &defaults)
{
    m_allMetaArgKeys.clear();
    for (const Instruction *ins : std::as_const(m_metaArgs))
        for (const KeyValue &kv : ins->pairs)
            m_allMetaArgKeys.append(kv.key);

    bool ok = true;
    const Environment args = metaArgs(defaults, {}, &ok);
    if (!ok)
        return; // the build fails on this ARG anyway; BuildKit skips the check then
    for (const Stage &stage : std::as_const(m_stages)) {
        if (stage.baseName.isEmpty())
            continue; // a FROM without an image is a syntax error, reported by the parser
        const ShellResult r =
            expandWord(m_lex, stage.baseName, args.lookup(), stage.from->args.first().range);
        if (!r.ok())
            return;
        if (!isValidImageReference(r.value)) {
            report("InvalidDefaultArgInFrom", *stage.from,
                   QStringLiteral("Default value for ARG %1 results in empty or invalid base image name")
                       .arg(stage.baseName));
        }
    }
}

void Checker::checkFromLines()
{
    QStringList argKeys = m_allMetaArgKeys;
    argKeys.append(m_globalArgs.keys());
    argKeys.removeDuplicates();
    argKeys.sort();
    const QSet<QString> declared(argKeys.cbegin(), argKeys.cend());
    const auto reportUndeclared = [&](const Instruction &from, const QStringList &unmatched) {
        for (const QString &name : unmatched) {
            if (declared.contains(name))
                continue;
            QString message = QStringLiteral("FROM argument '%1' is not declared").arg(name);
            const QString suggestion = closestName(name, argKeys, &m_suggestionBudget);
            if (!suggestion.isEmpty())
                message += QStringLiteral(" (did you mean %1?)").arg(suggestion);
            report("UndefinedArgInFrom", from, message);
        }
    };

    for (const Stage &stage : std::as_const(m_stages)) {
        const Instruction &from = *stage.from;
        const SourceRange baseRange = from.args.isEmpty() ? from.range : from.args.first().range;
        const ShellResult base = expandWord(m_lex, stage.baseName, m_globalArgs.lookup(), baseRange);
        reportUndeclared(from, base.unmatched);
        if (stage.platform.isEmpty())
            continue;

        const Flag *platformFlag = nullptr;
        for (const Flag &f : from.flags)
            if (f.name == QLatin1String("platform"))
                platformFlag = &f;
        const SourceRange flagRange = platformFlag ? platformFlag->range : from.range;
        // `--platform=` comes before the value when the flag is written plainly.
        const qsizetype valueOffset = platformFlag ? platformFlag->name.size() + 3 : 0;
        const ShellResult platform =
            expandWord(m_lex, stage.platform, m_globalArgs.lookup(), flagRange, valueOffset);
        reportUndeclared(from, platform.unmatched);
        if (platform.matched == QStringList{QStringLiteral("TARGETPLATFORM")} &&
            platform.unmatched.isEmpty() &&
            platform.value == m_globalArgs.get(QStringLiteral("TARGETPLATFORM")).value_or(QString())) {
            report("RedundantTargetPlatform", from, flagRange,
                   QStringLiteral(
                       "Setting platform to predefined %1 in FROM is redundant as this is the default "
                       "behavior")
                       .arg(stage.platform));
        }
        if (platform.ok() && platform.matched.isEmpty() && platform.unmatched.isEmpty()) {
            const std::optional<Platform> p = parsePlatform(platform.value);
            // A stage named for its platform ("build-amd64") is allowed to pin it.
            if (p && !stage.name.contains(p->os) && !stage.name.contains(p->arch)) {
                report("FromPlatformFlagConstDisallowed", from, flagRange,
                       QStringLiteral("FROM --platform flag should not use constant value %1")
                           .arg(quoted(platform.value)));
            }
        }
    }
}

void Checker::dispatchStage(int index)
{
    Stage &stage = m_stages[index];
    const SourceRange baseRange =
        stage.from->args.isEmpty() ? stage.from->range : stage.from->args.first().range;
    const ShellResult base = expandWord(m_lex, stage.baseName, m_globalArgs.lookup(), baseRange);
    const QString baseName = base.ok() ? base.value : stage.baseName;

    // `FROM <earlier stage>` continues that stage's state; anything else starts from an image.
    const int parent = baseName.isEmpty() ? -1 : m_namedStages.value(baseName, -1);
    if (!stage.name.isEmpty())
        m_namedStages.insert(stage.name, index);
    if (parent >= 0) {
        const Stage &p = m_stages.at(parent);
        stage.env = p.env;
        stage.buildArgs = p.buildArgs;
        stage.workdirSet = p.workdirSet;
        stage.shellSet = p.shellSet;
    } else if (baseName != QLatin1String("scratch") && m_options.baseImageEnv) {
        if (const auto imageEnv = m_options.baseImageEnv(baseName)) {
            for (auto it = imageEnv->constBegin(); it != imageEnv->constEnd(); ++it)
                stage.env.set(it.key(), it.value());
        }
    }
    // BuildKit gives every stage a PATH when its image has none.
    if (!stage.env.get(QStringLiteral("PATH")))
        stage.env.set(QStringLiteral("PATH"),
                      QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));

    QList<const Instruction *> sequence;
    if (parent >= 0) {
        for (const Instruction *ins : std::as_const(m_stages.at(parent).commands)) {
            if (ins->kind == InstructionKind::Onbuild && ins->onbuild) {
                sequence.append(ins->onbuild.get());
                m_triggerFrom.insert(ins->onbuild.get(), stage.from);
            }
        }
    }
    sequence.append(stage.commands);

    const Instruction *entrypoint = nullptr;
    const Instruction *cmd = nullptr;
    const Instruction *healthcheck = nullptr;
    for (const Instruction *ins : std::as_const(sequence)) {
        switch (ins->kind) {
        case InstructionKind::Entrypoint: checkUsedOnce(*ins, entrypoint); break;
        case InstructionKind::Cmd: checkUsedOnce(*ins, cmd); break;
        case InstructionKind::Healthcheck: checkUsedOnce(*ins, healthcheck); break;
        default: break;
        }
        dispatch(stage, *ins);
    }
}

void Checker::checkUsedOnce(const Instruction &ins, const Instruction *&previous)
{
    // Reported at the earlier instruction: that is the one whose effect is lost.
    if (previous) {
        report("MultipleInstructionsDisallowed", *previous, previous->keywordRange,
               QStringLiteral(
                   "Multiple %1 instructions should not be used in the same stage because only the last "
                   "one will be used")
                   .arg(ins.keyword));
    }
    previous = &ins;
}

QString Checker::expand(Stage &stage, const Instruction &ins, const QString &word, const SourceRange &range,
                        qsizetype offset)
{
    const ShellResult r = expandWord(m_lex, word, stage.env.lookup(), range, offset);
    reportUnmatched(stage, ins, range, r.unmatched);
    // Past a limit the value is unknown; empty keeps a chain of doubling variables from
    // growing again from the text as written.
    if (r.limitExceeded())
        return {};
    return r.ok() ? r.value : word;
}

void Checker::reportUnmatched(const Stage &stage, const Instruction &ins, const SourceRange &range,
                              const QStringList &unmatched)
{
    std::optional<QStringList> options; // listed only when a name is undefined
    for (const QString &name : unmatched) {
        if (stage.buildArgs.contains(name) || isNonEnvArg(name))
            continue;
        QString message = QStringLiteral("Usage of undefined variable '$%1'").arg(name);
        // Listing the keys costs as much as looking at them: only while the budget lasts.
        if (!options)
            options = m_suggestionBudget >= stage.env.size() ? stage.env.keys() : QStringList();
        const QString suggestion = closestName(name, *options, &m_suggestionBudget);
        if (!suggestion.isEmpty())
            message += QStringLiteral(" (did you mean $%1?)").arg(suggestion);
        report("UndefinedVar", ins, range, message);
    }
}

void Checker::dispatch(Stage &stage, const Instruction &ins)
{
    switch (ins.kind) {
    case InstructionKind::Env: {
        // Every pair is expanded against the environment before the instruction.
        QList<std::pair<QString, QString>> expanded;
        for (const KeyValue &kv : ins.pairs)
            expanded.append({expand(stage, ins, kv.key, kv.range),
                             expand(stage, ins, kv.value, kv.range, kv.hasEquals ? kv.key.size() + 1 : 0)});
        for (qsizetype i = 0; i < ins.pairs.size(); ++i) {
            const KeyValue &kv = ins.pairs.at(i);
            if (!kv.hasEquals) {
                report("LegacyKeyValueFormat", ins, kv.range,
                       QStringLiteral(
                           "\"%1 key=value\" should be used instead of legacy \"%1 key value\" format")
                           .arg(ins.keyword));
            }
            if (isSecretKey(expanded.at(i).first)) {
                report("SecretsUsedInArgOrEnv", ins, kv.range,
                       QStringLiteral("Do not use ARG or ENV instructions for sensitive data (ENV %1)")
                           .arg(quoted(expanded.at(i).first)));
            }
            stage.env.set(expanded.at(i).first, expanded.at(i).second);
        }
        break;
    }
    case InstructionKind::Label:
        for (const KeyValue &kv : ins.pairs) {
            expand(stage, ins, kv.key, kv.range);
            expand(stage, ins, kv.value, kv.range, kv.hasEquals ? kv.key.size() + 1 : 0);
        }
        for (const KeyValue &kv : ins.pairs) {
            if (!kv.hasEquals) {
                report("LegacyKeyValueFormat", ins, kv.range,
                       QStringLiteral(
                           "\"%1 key=value\" should be used instead of legacy \"%1 key value\" format")
                           .arg(ins.keyword));
            }
        }
        break;
    case InstructionKind::Arg:
        for (const KeyValue &kv : ins.pairs) {
            if (isSecretKey(kv.key)) {
                report("SecretsUsedInArgOrEnv", ins, kv.range,
                       QStringLiteral("Do not use ARG or ENV instructions for sensitive data (ARG %1)")
                           .arg(quoted(kv.key)));
            }
            std::optional<QString> value;
            const auto given = m_options.buildArgs.constFind(kv.key);
            if (given != m_options.buildArgs.constEnd()) {
                value = *given;
            } else if (kv.hasEquals) {
                const ShellResult r =
                    expandWord(m_lex, kv.value, stage.env.lookup(), kv.range, kv.key.size() + 1);
                reportUnmatched(stage, ins, kv.range, r.unmatched);
                value = r.ok() ? r.value : (r.limitExceeded() ? QString() : kv.value);
            } else {
                // A bare `ARG NAME` picks up the global value of the same name.
                value = m_globalArgs.get(kv.key);
            }
            if (value && !isNonEnvArg(kv.key))
                stage.env.set(kv.key, *value);
            stage.buildArgs.insert(kv.key);
        }
        break;
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint:
        if (!ins.jsonForm && !stage.shellSet) {
            report("JSONArgsRecommended", ins,
                   QStringLiteral(
                       "JSON arguments recommended for %1 to prevent unintended behavior related to OS "
                       "signals")
                       .arg(ins.keyword));
        }
        break;
    case InstructionKind::Shell: stage.shellSet = true; break;
    case InstructionKind::Workdir: {
        if (ins.args.isEmpty())
            break;
        const QString path = expand(stage, ins, ins.args.first().text, ins.args.first().range);
        if (!stage.workdirSet && !isAbsolutePath(path)) {
            report("WorkdirRelativePath", ins, ins.args.first().range,
                   QStringLiteral("Relative workdir %1 can have unexpected results if the base image changes")
                       .arg(quoted(path)));
        }
        stage.workdirSet = true;
        break;
    }
    case InstructionKind::User:
    case InstructionKind::Volume:
    case InstructionKind::Stopsignal:
        for (const Word &w : ins.args)
            expand(stage, ins, w.text, w.range);
        break;
    case InstructionKind::Copy:
    case InstructionKind::Add: checkCopy(stage, ins); break;
    case InstructionKind::Expose: checkExpose(stage, ins); break;
    default: break;
    }
}

void Checker::checkCopy(Stage &stage, const Instruction &ins)
{
    const bool isAdd = ins.kind == InstructionKind::Add;
    for (const Flag &f : ins.flags) {
        if (f.name == QLatin1String("chown") || (isAdd && f.name == QLatin1String("checksum")))
            expand(stage, ins, f.value, f.range);
    }

    QList<Word> sources;
    qsizetype heredocIndex = 0;
    for (qsizetype i = 0; i < ins.args.size(); ++i) {
        const Word &w = ins.args.at(i);
        const bool isDest = i == ins.args.size() - 1;
        if (!isDest && !ins.heredocs.isEmpty() && w.text.startsWith(QLatin1String("<<"))) {
            // A here-document source: its body is expanded raw, without quote processing.
            if (heredocIndex < ins.heredocs.size()) {
                const Heredoc &doc = ins.heredocs.at(heredocIndex++);
                if (doc.expand) {
                    ShellLex raw;
                    raw.setSkipProcessQuotes(true);
                    raw.setBudget(&m_budget);
                    const ShellResult r = raw.processWord(doc.content, stage.env.lookup());
                    if (r.limitExceeded())
                        expandWord(raw, doc.content, stage.env.lookup(), rangeInHeredoc(doc, r.errorOffset));
                    reportUnmatched(stage, ins, doc.range, r.unmatched);
                }
            }
            continue;
        }
        const QString value = expand(stage, ins, w.text, w.range);
        if (!isDest)
            sources.append(Word{value, w.range});
    }

    // CopyIgnoredFile: only sources read from the build context.
    if (!m_options.isIgnoredByDockerignore || (!isAdd && ins.hasFlag(QStringLiteral("from"))))
        return;
    for (const Word &src : std::as_const(sources)) {
        if (isAdd && (src.text.contains(QLatin1String("://")) || src.text.startsWith(QLatin1String("git@"))))
            continue;
        if (m_options.isIgnoredByDockerignore(src.text)) {
            report("CopyIgnoredFile", ins, src.range,
                   QStringLiteral("Attempting to %1 file %2 that is excluded by .dockerignore")
                       .arg(isAdd ? QStringLiteral("Add") : QStringLiteral("Copy"), quoted(src.text)));
        }
    }
}

void Checker::checkExpose(Stage &stage, const Instruction &ins)
{
    for (const Word &w : ins.args) {
        const ShellResult r = expandWord(m_lex, w.text, stage.env.lookup(), w.range, 0, true);
        if (!r.ok())
            continue;
        for (const QString &rawPort : r.words) {
            // [ip:][hostPort:]containerPort[/proto], IPv6 addresses keep their colons.
            const QStringList parts = rawPort.split(QLatin1Char(':'));
            const qsizetype n = parts.size();
            const QString containerPort = parts.last();
            QString ip;
            QString hostPort;
            if (n == 2) {
                hostPort = parts.at(0);
            } else if (n >= 3) {
                ip = parts.mid(0, n - 2).join(QLatin1Char(':'));
                hostPort = parts.at(n - 2);
            }
            const QStringList protoParts = containerPort.split(QLatin1Char('/'));
            if (containerPort.isEmpty() || protoParts.first().isEmpty())
                continue; // not a port at all; the build reports it
            const QString proto = protoParts.size() > 1 && !protoParts.at(1).isEmpty()
                                      ? protoParts.at(1)
                                      : QStringLiteral("tcp");
            if (!isLower(proto)) {
                report("ExposeProtoCasing", ins, w.range,
                       QStringLiteral("Defined protocol '%1' in EXPOSE instruction should be lowercase")
                           .arg(rawPort));
            }
            if (!ip.isEmpty() || !hostPort.isEmpty()) {
                report("ExposeInvalidFormat", ins, w.range,
                       QStringLiteral(
                           "EXPOSE instruction should not define an IP address or host-port mapping, found "
                           "'%1'")
                           .arg(rawPort));
            }
        }
    }
}

QStringList splitRuleList(const QString &value)
{
    QStringList out;
    for (const QString &part : value.split(QLatin1Char(',')))
        out.append(part.trimmed());
    return out;
}

} // namespace

CheckDirective CheckDirective::parse(const QString &text)
{
    CheckDirective d;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return d;
    // Like Go's strings.SplitN(s, ";", 3): a third part keeps any further ';'.
    QStringList parts = trimmed.split(QLatin1Char(';'));
    if (parts.size() > 3)
        parts = QStringList{parts.at(0), parts.at(1), parts.mid(2).join(QLatin1Char(';'))};
    for (const QString &part : std::as_const(parts)) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0) {
            d.problem = QStringLiteral("invalid check option %1").arg(quoted(part));
            return d;
        }
        const QString key = part.left(eq).trimmed();
        const QString value = part.mid(eq + 1).trimmed();
        if (key == QLatin1String("skip")) {
            if (value == QLatin1String("all"))
                d.skipAll = true;
            else
                d.skip = splitRuleList(value);
        } else if (key == QLatin1String("experimental")) {
            if (value == QLatin1String("all"))
                d.experimentalAll = true;
            else
                d.experimental = splitRuleList(value);
        } else if (key == QLatin1String("error")) {
            // Go's strconv.ParseBool spellings.
            static const QStringList kTrue = {QStringLiteral("1"),    QStringLiteral("t"),
                                              QStringLiteral("T"),    QStringLiteral("TRUE"),
                                              QStringLiteral("true"), QStringLiteral("True")};
            static const QStringList kFalse = {QStringLiteral("0"),     QStringLiteral("f"),
                                               QStringLiteral("F"),     QStringLiteral("FALSE"),
                                               QStringLiteral("false"), QStringLiteral("False")};
            if (kTrue.contains(value)) {
                d.error = true;
            } else if (kFalse.contains(value)) {
                d.error = false;
            } else {
                d.problem =
                    QStringLiteral("failed to parse check option %1: invalid syntax").arg(quoted(part));
                return d;
            }
        } else {
            d.problem = QStringLiteral("invalid check option %1").arg(quoted(key));
            return d;
        }
    }
    return d;
}

bool CheckDirective::enables(const QString &rule, bool experimentalRule) const
{
    // An experimental rule runs only when named (or experimental=all), even with skip=all.
    if (experimentalRule)
        return experimentalAll || experimental.contains(rule);
    return !skipAll && !skip.contains(rule);
}

const QList<BuildCheckRule> &BuildChecks::rules()
{
    static const QList<BuildCheckRule> list = [] {
        QList<BuildCheckRule> out;
        for (const RuleText &r : kRules)
            out.append(
                {QLatin1String(r.name), QLatin1String(r.description), QLatin1String(r.url), r.experimental});
        return out;
    }();
    return list;
}

std::optional<BuildCheckRule> BuildChecks::rule(const QString &name)
{
    for (const BuildCheckRule &r : rules())
        if (r.name == name)
            return r;
    return std::nullopt;
}

Diagnostics BuildChecks::run(const Dockerfile &dockerfile, const BuildCheckOptions &options)
{
    return Checker(dockerfile, options).run();
}

} // namespace stagecraft
