"""Word lists, pattern sources and rewrite texts for the blame rules (data only, no logic).

Patterns are written for lower-cased text with straight apostrophes. Extend a list here rather than
adding a special case in the rules; docs/blame.md explains the categories.
"""

from __future__ import annotations


def _forms(*stems: str) -> frozenset[str]:
    out: set[str] = set()
    for stem in stems:
        out.add(stem)
        out.add(stem + "s")
        if stem.endswith("e"):
            out.update((stem + "d", stem[:-1] + "ing"))
        else:
            out.update((stem + "ed", stem + "ing", stem + "es"))
    return frozenset(out)


# --- people, groups, systems -------------------------------------------------------------------

PERSON_PRONOUNS = frozenset(
    "i we you he she they them him me us someone somebody anyone anybody nobody noone everyone "
    "everybody whoever whomever y'all u ya".split()
)
POSSESSIVE_PRONOUNS = frozenset("his her their my your".split())
ROLE_HEADS = frozenset(
    "engineer engineers on-call oncall on-caller oncaller on-callers sre dba reviewer reviewers approver "
    "approvers manager developer dev admin sysadmin administrator intern hire guy junior contractor author "
    "committer responder responders commander ic lead tester person people owner employee colleague "
    "teammate coworker newbie rookie".split()
)
GROUP_HEADS = frozenset(
    "team teams ops devops infra qa support networking management dbas sres devs developers contractors "
    "folks guys squad department org sysadmins admins testers".split()
)
GROUP_HANDLE = r"(?:team|squad|^@?(?:ops|sres?|devs|dbas?|infra|qa|support|platform|eng)\b)"
GROUP_HANDLE_IN_TEXT = r"@[\w.-]*(?:-team|_team|team\b|squad)|@(?:ops|sres|devs|dbas|infra|qa)\b"
BROADCAST_HANDLES = frozenset({"@here", "@channel", "@everyone", "@all"})
SYSTEM_NOUNS = frozenset(
    "deploy deploys deployment deployments change changes commit commits migration migrations script scripts "
    "job jobs alert alerts alarm check checks canary pipeline runbook runbooks documentation docs doc "
    "dashboard dashboards panel tool tooling cli service services api apis database databases db cluster "
    "clusters node nodes pod pods server servers host hosts replica replicas primary cache caches queue "
    "queues broker brokers consumer consumers producer worker workers scheduler cron autoscaler balancer "
    "lb proxy router network dns cert certificate config configuration flag flags process policy rule rules "
    "monitoring monitor replication backup backups build builds release releases test tests suite ci "
    "system systems loader driver app application vpn laptop phone pager note handoff terraform kubernetes "
    "k8s kubectl helm redis kafka postgres mysql github stripe pagerduty datadog grafana prometheus vault "
    "sso auth library endpoint webhook webhooks probe healthcheck lock index table query queries request "
    "requests traffic disk cpu memory code bot linter logs log controller operator container containers "
    "image images firewall gateway storage bucket volume threshold schedule escalation timeout retry "
    "retries loop rollout rollback failover checker version patch hotfix upgrade export etl cronjob".split()
)
NOT_NAMES = frozenset("the on team ops bot system admin user unknown deleted".split())
COMMON_WORD_NAMES = frozenset(
    "will mark bill grace drew may june april august summer chase sage rusty max pat rob sue art jack "
    "hunter dawn faith hope joy ray rich gene frank page lane ash sky river storm bob jean carol "
    "penny victor august iris rose violet amber".split()
)
DETERMINERS = frozenset("the a an our this that these those any some every each all another its".split())
ADVERBS = frozenset(
    "obviously clearly just really totally simply never even also probably definitely certainly again "
    "completely entirely actually basically still apparently honestly literally then once already "
    "always constantly somehow".split()
)
NP_CUT = frozenset(
    "on in from of at with for by during after before about like into over "
    "is was were are has have had did does do got gets been be being will would should could can may "
    "might must 's isn't wasn't weren't aren't didn't doesn't don't hasn't haven't hadn't won't "
    "shouldn't couldn't wouldn't can't who that which what it's that's there's here's what's who's".split()
)

# --- human error ------------------------------------------------------------------------------------

HUMAN_ERROR = r"\b(?:human|operator|user|pilot)[ -]errors?\b|\bpeb(?:kac|cak)\b|\bid10t\b|\blayer[ -]?8\b"
HE_TECH_AFTER = (
    r"\s+(?:log|logs|rate|rates|code|codes|count|counts|message|messages|metric|metrics|response|"
    r"responses|page|budget|handling|handler|path|class|type)\b"
)
HE_TECH_BEFORE = (
    r"\b(?:returned|returns|return|raised|raises|raise|threw|throws|throw|logged|logs|emitted|emits|"
    r"shows|showed|displayed|displays|surfaced|surfaces)\s+(?:an?\s+|the\s+)?$"
)
HE_MITIGATION_BEFORE = (
    r"\b(?:reduce|reduces|reducing|prevent|prevents|preventing|minimi[sz]es?|avoid|avoids|eliminates?|"
    r"guard|guards|protect|protects|chance|risk|likelihood|odds|prone|resilient|tolerant|makes?|making|"
    r"not|never|no|isn't|wasn't|aren't|weren't|beyond|rather than|instead of)\b"
)
HE_MITIGATION_AFTER = r"\s*(?:is|are|will be)\s+(?:inevitable|expected|normal|unavoidable|a symptom)\b"

# --- idioms -----------------------------------------------------------------------------------------

IDIOM_PERSON = (
    r"\bfat[- ]?finger(?:ed|ing|s)?\b(?![- ]?(?:check|protection|guard|prompt|safeguard|proof|limit|"
    r"detection|test|validation|rule|filter))"
    r"|\bdrop(?:ped|ping|s)? the ball\b|\basleep at the (?:wheel|switch)\b|\b(?:had|has|have) one job\b"
    r"|\bcowboy(?:[- ]?(?:deploy\w*|cod\w*|ed|'d|ing))|\byolo(?:'?d|ed|ing)\b|\bwent yolo\b"
    r"|\brubber[- ]?stamp(?:ed|ing|s)?\b|\b(?:threw|throw|thrown|throwing) (?:\S+ ){0,3}over the wall\b"
    r"|\bbrain[- ]?fart\b|\b(?:wasn't|weren't|was not|were not|not) paying attention\b"
    r"|\b(?:went|going|gone) rogue\b|\bcut(?:ting)? corners\b|\bscrewed the pooch\b|\bwinged (?:it|the)\b"
    r"|\b(?:went|going|gone) cowboy\b|\bcowboy (?:move|change|fix)\b|\basleep on the job\b|\bphoned it in\b"
)
IDIOM_SYSTEM_TOO = (
    r"\bscrew(?:ed|s|ing)? (?:\w+ )?up\b|\bmess(?:ed|es|ing)? (?:\w+ )?up\b"
    r"|\bf[u*][c*]?[k*]+(?:ed|ing)? (?:\w+ )?up\b|\bbotch(?:ed|es|ing)?\b|\bblew it\b|\bblown it\b"
    r"|\bfumbl(?:ed|es|ing)\b|\bstrikes again\b|\bbonehead(?:ed)?\b|\bbungl(?:ed|es|ing)\b"
    r"|\bgoof(?:ed|s|ing)\b|\bblunder(?:ed|s)?\b"
)

# --- judgemental words ---------------------------------------------------------------------------

JUDGMENTAL = (
    r"\b(?:careless(?:ly|ness)?|sloppy|sloppily|sloppiness|lazy|laziness|incompetent(?:ly)?|incompetence|"
    r"negligent(?:ly)?|negligence|stupid(?:ly|ity)?|reckless(?:ly|ness)?|idiot(?:s|ic|ically)?|dumb|"
    r"moron(?:s|ic)?|clueless|irresponsible|irresponsibly|inexcusable|unprofessional|amateur(?:ish)?|"
    r"rookie (?:mistake|move|error)|mistakenly|brainless|thoughtless(?:ly)?|half-assed)\b"
)
JUDGMENTAL_TECH = (
    r"lazy(?:[- ]\w+)?[- ](?:load\w*|eval\w*|init\w*|instantiat\w*|fetch\w*|import\w*|iterat\w*|"
    r"sequence|val|values?|"
    r"propert\w*|list|stream|binding|compil\w*|computation|singleton|mode|quantifier|match\w*|static)\b"
    r"|sloppy[- ](?:mode|quorums?|match\w*|regex)\b|stupid[- ](?:simple|easy|fast|questions?)\b"
    r"|dumb[- ](?:pipes?|terminals?|clients?|proxy|proxies|switch\w*|down|luck|questions?)\b|idiot-?proof"
)

# --- person as cause -------------------------------------------------------------------------------

_DAMAGE_OBJECT = (
    r"(?:the |a |our |all |their |his |her )?(?:[\w-]+ )?(?:prod|production|live|customer|customers|primary|"
    r"entire|whole|wrong|api|site|database|db|cluster|checkout|orders|everything)\w*"
)
CAUSE_ACTIVE = (
    r"\b(?:broke|breaks|breaking|(?:took|takes|take|taking|brought|brings|bring|bringing) (?:\S+ )?down"
    r"|(?:took|takes) out|knocked (?:over|out)|nuked|trashed|destroyed|caused|causes"
    r"|introduced (?:the|a|an|this) (?:bug|regression|outage|issue|incident|problem|breakage)"
    r"|made (?:things|it|everything|this) worse|started (?:all )?(?:this|it)\b"
    r"|(?:deleted|dropped|wiped|killed|truncated|overwrote|corrupted) " + _DAMAGE_OBJECT + r")"
)
#: Damage verbs without a telling object count only for possessive subjects ("Petra's push killed ...").
DAMAGE_BARE = r"\b(?:deleted|dropped|wiped|killed|truncated|overwrote|corrupted|locked|crashed|broke)\b"
BAD_OBJECT = (
    r"\b(?:pushed|shipped|merged|deployed|applied|committed|released|rolled out|landed) "
    r"(?:a |an |the |this |that |his |her |their |some )?(?:bad|broken|buggy|wrong|faulty|untested|"
    r"half-baked|borked)\b"
)
CAUSE_AGENT = (
    r"\b((?:caused|triggered|started|introduced|broken|brought down|taken down|deleted|nuked|wiped) by"
    r"|due to|because of|courtesy of|thanks to)\s+"
)
THANKS_NEGATIVE = r"\b(?:down|outage|broke|broken|lost|offline|dead|failed|failing|paged|errors?)\b"
ON_TARGET = (
    r"\b(?:is|was|'s)\s+(?:all\s+|entirely\s+|totally\s+|completely\s+|squarely\s+|100%\s+)?"
    r"on\s+(?P<who>[@<\w][\w@<>.'-]*)"
)
FAULT = r"(?P<who>[@<\w][\w@<>.-]*)'s (?:fault|doing)\b"
BLAME_VERB = r"\bblame(?:d)?\s+(?:it\s+on\s+|this\s+on\s+|goes\s+to\s+)?(?P<who>[@<\w][\w@<>.'-]*)"
IS_REASON = r"\b(?:is|was)\s+(?:the\s+)?(?:reason|one to blame|to blame|culprit)\b"
HAPPENED_BECAUSE = (
    r"\b(?:all\s+(?:of\s+)?this|this\s+(?:all\s+)?happened|it\s+happened|the\s+outage\s+happened)\s+"
    r"because\s+(?P<who>[@<\w][\w@<>.'-]*)"
)
ROOT_CAUSE_IS = r"\broot[- ]cause\s*(?:was|is|:|=|-|–|—)\s*(?P<who>[@<\w][\w@<>.'-]*)"

# --- counterfactual and hindsight ------------------------------------------------------------

MODAL_PERFECT = (
    r"\b(?P<modal>should(?:n't)?|could(?:n't)?|would(?:n't)?|must|might|ought to|'d)"
    r"(?:\s+(?P<neg>never|not)"
    r"|\s+(?:really|definitely|obviously|clearly|easily|at least|just|also|probably))?"
    r"\s*(?:'ve|\s+have|\s+of)\s+(?:(?:never|not|really|just|at least|easily|actually)\s+)?"
    r"(?P<verb>[a-z][\w-]*)(?:\s+(?P<next>[a-z][\w-]*))?"
)
IF_HAD = r"\bif\s+(?:only\s+)?(?P<np>[^,;:]{1,40}?)(?:\s+(?:had|hadn't|had not)|'d)\s+(?:been\s+)?\w+"
HAD_INVERSION = (
    r"^\W*had\s+(?P<np>[\w@' -]{1,40}?)\s+(?:been|not|\w+ed|known|seen|done|run|read|caught|taken)\b"
)
OMISSION = (
    r"\b(?:failed|fails|fail|failing) to\b|\bignor(?:ed|es|ing)\b|\b(?:was|were) supposed to\b"
    r"|\bmiss(?:ed|es)\s+(?:the\s+|an?\s+|all\s+|every\s+|both\s+|its\s+|their\s+|his\s+|her\s+|those\s+"
    r"|these\s+)?(?:[\w-]+\s+)?(?:pages?|alerts?|alarms?|warnings?|signals?|signs|errors?|regression|bug|"
    r"step|check|deadline|notifications?)\b"
)
OMISSION_PERSON_ONLY = (
    r"\bforg(?:ot|ets|et|otten) (?:to|about|that|the)\b|\bneglect(?:ed|s)? (?:to|the)\b"
    r"|\b(?:didn't|did not|never|couldn't be) bother(?:ed)?\b|\bbother(?:ed)? to\b"
)
NEG_VERB = (
    r"\b(?:didn't|did not|never|doesn't|does not|don't|do not|wouldn't|won't)\s+"
    r"(?:even\s+|actually\s+|properly\s+|bother\s+to\s+)?(?P<verb>[a-z-]+)"
)
NOBODY_DID = (
    r"\b(?:nobody|no one)\s+(?:even\s+)?(?:noticed|checked|looked|tested|read|thought|caught|escalated|"
    r"followed|reviewed|verified|bothered|cared)\b"
)
WHY_DIDNT = (
    r"\bwhy\s+(?:didn't|did not|wasn't|weren't|hasn't|haven't|couldn't|wouldn't)\s+"
    r"(?P<np>(?:the\s+)?[@<\w][\w@<>'-]*)\s+(?P<verb>[a-z-]+)"
)
MINIMISING = r"\b(?:simply|just|only)\s+(?:needed|had|has|needs)\s+to\b"
ALL_HAD_TO_DO = r"\ball\s+(?P<np>[@<\w][\w@<>'-]*(?:\s+[\w-]+)?)\s+(?:had|needed)\s+to\s+do\s+was\b"
HINDSIGHT = (
    r"\b(?:avoidable|preventable)\b"
    r"|\b(?:the\s+)?(?:warning\s+)?signs\s+(?:were|was)\s+(?:all\s+)?(?:clear|obvious|there|everywhere)\b"
    r"|^\W*(?:clearly|obviously)\b.{0,60}\b(?:was|were|is)\s+(?:risky|dangerous|a bad idea|wrong|a mistake)\b"
    r"|\b(?:saw|seen) (?:this|it) coming\b"
)
OBLIGATION = _forms(
    "check",
    "test",
    "verify",
    "follow",
    "wait",
    "look",
    "notice",
    "escalate",
    "update",
    "review",
    "validate",
    "ask",
    "run",
    "renew",
    "drain",
    "monitor",
    "double-check",
    "consult",
    "listen",
    "communicate",
    "coordinate",
    "announce",
    "warn",
    "inform",
    "bother",
    "confirm",
    "document",
    "care",
    "learn",
    "bother",
) | frozenset({"read", "tell", "told", "think", "thought", "ran", "page"})
IRREGULAR_PARTICIPLES = frozenset(
    "known caught seen done run gone taken held kept told read thought sent put found made brought "
    "spotted paid led left built written drawn hit set let understood stood won begun felt heard meant "
    "said shut split spent stuck struck".split()
)
NOT_OBLIGATION_PARTICIPLES = frozenset("received gotten got had been happened occurred worked".split())

# --- group habits ---------------------------------------------------------------------------------

GROUP_HABIT = (
    r"\b(?:never|always|constantly|keeps?|kept|forever)\s+(?:even\s+)?(?:test\w*|read\w*|escalat\w*|check\w*|"
    r"care\w*|listen\w*|follow\w*|bother\w*|learn\w*|review\w*|updat\w*|document\w*|ship\w*|break\w*|"
    r"push\w*|forget\w*|ignor\w*|skip\w*|deploy\w*|merg\w*)"
    r"|\b(?:can't|cannot|can not)\s+be\s+trusted\b|\b(?:doesn't|don't|does not|do not)\s+care\b"
    r"|\b(?:always|never|constantly|keeps?)\s+\w+(?:\s+\w+){0,2}\s+without\b"
)
TYPICAL_GROUP = (
    r"\btypical\s+(?:ops|devops|infra|qa|support|networking|management|dbas|sres|devs|developers)\b"
)

# --- gates: the first four letters of a word every pattern of a rule family needs -------------------
# A sentence is split into [a-z0-9]+ words ("didn't" -> "didn", "t"); a rule family runs only when one
# of the sentence's word prefixes is in its gate. Keep a gate in step when adding a pattern above.

GATE_HUMAN_ERROR = frozenset("erro pebk pebc id10 laye".split())
GATE_IDIOM = frozenset(
    "fat fing fatf ball asle job cowb yolo rubb wall fart brai atte rogu corn pooc wing scre mess f fuck "
    "botc blew blow fumb stri bone bung goof blun phon".split()
)
GATE_JUDGMENTAL = frozenset(
    "care slop lazy lazi inco negl stup reck idio dumb moro clue irre inex unpr amat rook mist brai thou "
    "half".split()
)
GATE_CAUSE = frozenset(
    "brok brea down take took taki brou brin knoc nuke tras dest caus intr made wors star dele drop wipe "
    "kill trun over corr lock cras push ship merg depl appl comm rele roll land due beca cour than on faul "
    "doin blam reas culp root trig".split()
)
GATE_COUNTERFACTUAL = frozenset(
    "shou coul woul must migh ough d ve if had fail igno supp miss forg negl both didn did neve does don "
    "not nobo no noon why simp just only all avoi prev sign clea obvi comi won".split()
)
GATE_GROUP = frozenset("alwa cons keep kept fore trus care typi with neve didn don does".split())
GATE_ANY = GATE_HUMAN_ERROR | GATE_IDIOM | GATE_JUDGMENTAL | GATE_CAUSE | GATE_COUNTERFACTUAL | GATE_GROUP

# --- rewrite suggestions -------------------------------------------------------------------------

SUGGEST = {
    "person_as_cause": (
        "Name the change, not the person: which deploy, commit or config change (id and time) preceded the "
        "failure, and which safeguard (canary, review, test, confirmation) did not stop it."
    ),
    "counterfactual": (
        'Say what happened and why it made sense at the time, then the gap: "<step> did not happen; '
        'nothing in the process or tooling required or checked it."'
    ),
    "hindsight": (
        'Separate hindsight from what responders knew: "In hindsight <signals> preceded the outage; at the '
        'time they <were not visible / looked like routine noise>."'
    ),
    "minimising": (
        "Drop 'simply'/'just' and say why the step was hard: where the information was and what competed "
        "for attention."
    ),
    "judgmental": (
        "Remove the judgement; state what was done, when, and which tool or process allowed it "
        "(missing check, unsafe default, no confirmation)."
    ),
    "human_error": (
        "Replace 'human error' with contributing factors: which tool, default, interface or process made the "
        "action possible or likely (no confirmation, unclear target environment, no dry run)."
    ),
    "blame_idiom": "Replace the idiom with what happened and the system or process gap that allowed it.",
    "group_blame": (
        'Describe the process, ownership or tooling gap instead of the team, e.g. "the upgrade path has no '
        'test in CI" rather than "QA never tests it".'
    ),
}
IDIOM_SUGGEST = (
    (
        "finger",
        'Describe the input and the missing guard: "A typo in a manual command (<what>) <effect>; the tool '
        'has no dry run, validation or confirmation."',
    ),
    ("ball", "Name the task that was missed and why: no owner, no reminder, no check."),
    ("asleep", "Describe what monitoring showed at the time and what competed for attention."),
    ("rubber", "Describe the review: its size, the time it took and what the process required."),
    ("attention", "Describe what the interface showed and what competed for attention."),
)
OMISSION_SUGGEST = (
    ("forg", 'Say what the task depended on: "<task> was not done; it relied on a manual step or reminder."'),
    ("miss", "Describe how the signal arrived (channel, volume, timing) and why it did not stand out."),
    ("ignor", "Describe the signal and why it did not read as urgent (it appears routinely, low priority)."),
    ("follow", "Describe how the steps taken differed from the runbook and what the runbook does not cover."),
    ("supposed", "Say the expectation was informal if it was: no owner, no checklist, no dashboard."),
)
