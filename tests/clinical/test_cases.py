"""Tests for bpscare.clinical.cases (loader, validation) and clinical.language (term scan)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import yaml

from bpscare.clinical import cases as cases_module
from bpscare.clinical.cases import (
    TEACHING_CONTEXT_FIELDS,
    Case,
    CaseError,
    case_ids,
    load_case,
    load_case_file,
    load_cases,
    question_bank,
    stigma_checklist,
    stigma_issues,
)
from bpscare.clinical.cases.screener_items import SCREENER_ITEM_KEYS, item_keys, item_position
from bpscare.clinical.formulation import DOMAINS, FOUR_PS
from bpscare.clinical.instruments import instrument_info, score
from bpscare.clinical.language import flagged_terms, scan_text

CASES = load_cases()
CASE_IDS = [c.id for c in CASES]
DATA = resources.files("bpscare") / "data"
VOCAB = yaml.safe_load((DATA / "vocabulary.yaml").read_text(encoding="utf-8"))
BANK_IDS = [q.id for q in question_bank()]


def _in_teaching_context(field: str) -> bool:
    return any(field == f or field.startswith((f + ".", f + "[")) for f in TEACHING_CONTEXT_FIELDS)


# --------------------------------------------------------------------------------------------
# The library as a whole
# --------------------------------------------------------------------------------------------


def test_at_least_twelve_cases_load():
    """Does the library hold at least 12 valid cases, sorted by id?"""
    assert len(CASES) >= 12
    assert sorted(CASE_IDS) == CASE_IDS
    assert case_ids() == CASE_IDS


def test_file_names_match_ids():
    """Is every case file named <id>.yaml?"""
    files = sorted(p.name for p in (DATA / "cases").iterdir() if p.name.endswith(".yaml"))
    assert files == [f"{cid}.yaml" for cid in CASE_IDS]


def test_load_case_returns_the_cached_case():
    """Does load_case return the same validated object as load_cases?"""
    first = CASES[0]
    assert load_case(first.id) is first


def test_unknown_case_id_lists_known_ids():
    """Does an unknown id raise CaseError listing the known ids?"""
    with pytest.raises(CaseError) as info:
        load_case("c99-nothing")
    message = str(info.value)
    assert "'c99-nothing'" in message
    assert "c01-chest-tightness" in message


def test_at_least_two_people_need_an_interpreter():
    """Do at least two cases need an interpreter, in at least two different languages?"""
    needing = [c for c in CASES if c.demographics.interpreter_needed]
    assert len(needing) >= 2
    assert len({c.demographics.preferred_language for c in needing}) >= 2


def test_rural_and_urban_settings_present():
    """Are both rural and urban settings represented?"""
    settings = {c.demographics.setting for c in CASES}
    assert {"rural", "urban"} <= settings


def test_insurance_types_vary():
    """Do cases cover at least three insurance types, including uninsured, Medicaid, Medicare and
    private coverage?"""
    types = {c.demographics.insurance for c in CASES}
    assert len(types) >= 3
    assert {"uninsured", "Medicaid", "Medicare", "private"} <= types


def test_ages_span_adolescent_to_older_adult():
    """Do ages run from an adolescent (under 18) to at least one person aged 70 or over?"""
    ages = [c.demographics.age for c in CASES]
    assert 12 <= min(ages) < 18
    assert max(ages) >= 70


def test_gender_diversity_includes_non_binary_or_transgender_person():
    """Is at least one person non-binary or transgender, and are women and men both present?"""
    genders = [c.demographics.gender.lower() for c in CASES]
    assert any("non-binary" in g or "transgender" in g for g in genders)
    assert "woman" in genders
    assert "man" in genders


def test_at_least_one_person_has_a_disability():
    """Does at least one case describe a disability?"""
    assert any(c.demographics.disability.lower() != "none" for c in CASES)


def test_race_and_ethnicity_vary():
    """Are at least six different self-described backgrounds represented?"""
    assert len({c.demographics.race_ethnicity for c in CASES}) >= 6


def test_screener_severity_varies():
    """Do PHQ-9 totals cover at least four severity bands, including a severe one?"""
    bands = {c.screener_scores()["phq9"].band for c in CASES}
    assert len(bands) >= 4
    assert "severe" in bands or "moderately severe" in bands


def test_one_case_exercises_the_item_9_safety_rule():
    """Does at least one case have PHQ-9 item 9 >= 1, with the safety finding documented and a
    1-week follow-up?"""
    flagged = [c for c in CASES if c.screeners.phq9[8] >= 1]
    assert flagged
    for case in flagged:
        assert case.screener_scores()["phq9"].safety_alert is True
        assert any("item 9" in text for text in case.red_flags.present)
        assert case.care_plan.follow_up_weeks <= 1
        assert "q-self-harm" in case.interview.key_questions


def test_most_cases_have_red_flags_absent_and_some_present():
    """Are red flags present (and escalated) in some cases, but absent in most?"""
    with_flags = [c for c in CASES if c.red_flags.present]
    assert 2 <= len(with_flags) < len(CASES) / 2
    for case in with_flags:
        assert case.care_plan.follow_up_weeks <= 2


def test_mistrust_is_not_listed_as_a_patient_barrier():
    """Is mistrust framed as a gap in how trustworthy care has been (the experiences of care that
    earned it and what would help), never as the person's access barrier?"""
    for case in CASES:
        assert "mistrust" not in case.care_plan.access_barriers, case.id
        history = case.health_system_history
        if history.trust_level in {"low", "mixed"}:
            assert history.experiences, case.id
            assert history.what_helps, case.id


def test_uninsured_status_is_not_unique_to_one_person_or_group():
    """Are at least two people uninsured, of different backgrounds and settings?"""
    uninsured = [c for c in CASES if c.demographics.insurance == "uninsured"]
    assert len(uninsured) >= 2
    assert len({c.demographics.race_ethnicity for c in uninsured}) >= 2
    assert len({c.demographics.setting for c in uninsured}) >= 2


@pytest.mark.parametrize(
    "theme",
    ["sickle cell disease", "opioid use disorder", "schizophrenia", "weight"],
)
def test_library_covers_stigmatized_conditions(theme: str):
    """Does a case put each often-stigmatized situation at its centre (issue 13: sickle cell pain,
    opioid use disorder with pain, serious mental illness with a physical symptom, weight
    stigma)?"""
    assert any(theme in (c.title + " " + c.summary).lower() for c in CASES), theme


def test_complaints_are_varied():
    """Does each case present a different somatic complaint (distinct titles and first symptoms)?"""
    assert len({c.title for c in CASES}) == len(CASES)
    firsts = {c.presenting_complaint.somatic_symptoms[0] for c in CASES}
    assert len(firsts) == len(CASES)


# --------------------------------------------------------------------------------------------
# Every case, every section
# --------------------------------------------------------------------------------------------

REQUIRED_SECTIONS = [
    "title",
    "summary",
    "demographics",
    "presenting_complaint",
    "history",
    "screeners",
    "red_flags",
    "health_system_history",
    "findings",
    "formulation",
    "care_plan",
    "interview",
    "stigma_review",
    "teaching_points",
    "sources",
]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("section", REQUIRED_SECTIONS)
def test_every_case_has_every_section(case: Case, section: str):
    """Is the section present and non-empty in the case's data?"""
    data = case.to_dict()
    assert data.get(section), f"{case.id} lacks {section}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_sections_have_substance(case: Case):
    """Does each case have enough findings, history in every domain, teaching points and
    sources?"""
    assert len(case.findings) >= 8
    for domain in ("biological", "psychological", "social", "functional_impact"):
        assert getattr(case.history, domain)
    assert len(case.teaching_points) >= 2
    assert len(case.sources) >= 3
    assert case.health_system_history.experiences
    assert case.health_system_history.what_helps
    assert case.red_flags.absent
    assert case.care_plan.goals
    assert case.care_plan.red_flags_to_safety_net


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_formulation_ids_resolve_and_every_finding_is_used(case: Case):
    """Does every placed id name a finding, and is every finding placed?"""
    finding_ids = {f.id for f in case.findings}
    placed = case.expert_formulation().findings()
    assert placed <= finding_ids
    assert finding_ids <= placed


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_formulation_has_strengths_and_most_rows_filled(case: Case):
    """Is the protective row non-empty and are at least three of the four Ps filled?"""
    grid = case.expert_formulation()
    filled_rows = [p for p in FOUR_PS if any(grid.cell(p, d) for d in DOMAINS)]
    assert "protective" in filled_rows
    assert len(filled_rows) >= 3


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_care_plan_ids_are_in_the_shared_vocabulary(case: Case):
    """Are all team, referral, intervention, measure and barrier ids in vocabulary.yaml?"""
    plan = case.care_plan
    assert set(plan.team) <= set(VOCAB["team_roles"])
    assert set(plan.referrals) <= set(VOCAB["referrals"])
    assert set(plan.interventions) <= set(VOCAB["interventions"])
    assert set(plan.measures) <= set(VOCAB["measures"])
    assert set(plan.access_barriers) <= set(VOCAB["access_barriers"])
    assert "primary_care_clinician" in plan.team
    assert 1 <= plan.follow_up_weeks <= 4


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_interpreter_needs_are_planned(case: Case):
    """If the person needs an interpreter, does the plan include one and name language access?"""
    if case.demographics.interpreter_needed:
        assert "medical_interpreter" in case.care_plan.team
        assert "language" in case.care_plan.access_barriers
    else:
        assert "medical_interpreter" not in case.care_plan.team


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_no_flagged_term_outside_a_teaching_context(case: Case):
    """Is every flagged term either absent or quoted inside a teaching-context field?"""
    offending = [
        (field, hit.matched)
        for field, text in case.text_fields()
        for hit in scan_text(text)
        if not (hit.quoted and _in_teaching_context(field))
    ]
    assert offending == []
    assert stigma_issues(case) == []


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_screeners_are_in_range(case: Case):
    """Are screener lists the right length with item values in range?"""
    s = case.screeners
    assert len(s.phq9) == 9
    assert all(0 <= v <= 3 for v in s.phq9)
    assert len(s.gad7) == 7
    assert all(0 <= v <= 3 for v in s.gad7)
    assert len(s.phq15) == 15
    for index, value in enumerate(s.phq15):
        if index == 3 and not s.phq15_menstrual_applicable:
            assert value is None
        else:
            assert value is not None
            assert 0 <= value <= 2


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_screener_scores_cross_check_with_instruments(case: Case):
    """Does Case.screener_scores agree with instruments.score and with a plain sum?"""
    scores = case.screener_scores()
    s = case.screeners
    assert scores["phq9"].total == sum(s.phq9) == score("phq9", list(s.phq9)).total
    assert scores["gad7"].total == sum(s.gad7) == score("gad7", list(s.gad7)).total
    expected_phq15 = sum(v for v in s.phq15 if v is not None)
    assert scores["phq15"].total == expected_phq15
    assert scores["phq15"].max_total == (30 if s.phq15_menstrual_applicable else 28)
    assert scores["phq9"].safety_alert is (s.phq9[8] >= 1)


# Words in a case's story that name each PHQ-15 symptom (lower-case stems).
PHQ15_WORDS: dict[str, tuple[str, ...]] = {
    "stomach_pain": ("stomach", "abdominal", "epigastric", "belly", "cramp"),
    "back_pain": ("back pain", "backache", "lower back", "my back", "back,", "back and"),
    "limb_joint_pain": ("joint", "knee", "hip", "arm", "leg", "shoulder", "widespread", "muscle"),
    "menstrual": ("period", "menstru"),
    "sexual_intercourse": ("intercourse", "sexual", "sex "),
    "headaches": ("headache", "migraine", "head pain"),
    "chest_pain": ("chest",),
    "dizziness": ("dizz", "light-headed", "lightheaded", "vertigo", "unsteady"),
    "fainting": ("faint", "collapse", "passed out", "pass out", "seizure", "blackout", "syncop"),
    "heart_racing": ("heart rac", "racing heart", "pound", "palpitation", "heart is going"),
    "short_of_breath": ("breath",),
    "bowel": ("bowel", "diarrh", "constipat", "loose stool", "stool"),
    "nausea_indigestion": ("nausea", "indigestion", " gas", "heartburn", "reflux", "queasy"),
    "tired": ("tired", "fatigue", "exhaust", "energy", "drained", "worn out"),
    "sleep": ("sleep", "waking", "wake", "insomnia", "awake"),
}


def _story(case: Case) -> str:
    """Everything the person reports: summary, complaint, history and interview answers."""
    parts = [case.summary, case.presenting_complaint.summary]
    parts += list(case.presenting_complaint.somatic_symptoms)
    for domain in ("biological", "psychological", "social", "functional_impact"):
        parts += list(getattr(case.history, domain))
    parts += list(case.interview.answers.values())
    return " ".join(parts).lower()


def test_phq15_words_are_known_item_keys():
    """Does the narrative word list name exactly the PHQ-15 item keys?"""
    assert set(PHQ15_WORDS) == set(SCREENER_ITEM_KEYS["phq15"])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_phq15_items_bothering_a_lot_appear_in_the_story(case: Case):
    """Is every PHQ-15 symptom rated "bothered a lot" (2) told somewhere in the person's story?
    (This catches answers stored against the wrong item, e.g. fainting for chest pain.)"""
    story = _story(case)
    untold = [
        key
        for key, answer in case.screeners.by_key("phq15").items()
        if answer == 2 and not any(word in story for word in PHQ15_WORDS[key])
    ]
    assert untold == []


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_presenting_symptoms_are_scored_on_the_phq15(case: Case):
    """Is each listed somatic symptom that the PHQ-15 asks about scored at least 1?"""
    answers = case.screeners.by_key("phq15")
    missed = [
        (symptom, key)
        for symptom in case.presenting_complaint.somatic_symptoms
        for key, words in PHQ15_WORDS.items()
        if key not in {"limb_joint_pain", "nausea_indigestion", "sleep", "fainting"}
        and any(word in symptom.lower() for word in words)
        and not answers[key]
    ]
    assert missed == []


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_chief_complaint_is_scored_bothered_a_lot(case: Case):
    """Does the PHQ-15 item matching the first listed somatic symptom score 2, where the form
    asks about it?"""
    first = case.presenting_complaint.somatic_symptoms[0].lower()
    answers = case.screeners.by_key("phq15")
    keys = [k for k, words in PHQ15_WORDS.items() if any(word in first for word in words)]
    if keys:
        assert max(answers[k] or 0 for k in keys) == 2, (first, keys)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_item_9_answer_agrees_with_red_flags_and_interview(case: Case):
    """Is PHQ-9 item 9 >= 1 exactly when a red flag documents it, and is a 0 matched by a red-flag
    list that does not claim thoughts of self-harm?"""
    item9 = case.screeners.by_key("phq9")["self_harm_thoughts"]
    documented = any("item 9" in text for text in case.red_flags.present)
    assert (item9 >= 1) == documented
    if item9 >= 1:
        assert "q-self-harm" in case.interview.key_questions


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_phq9_and_phq15_agree_on_sleep_and_energy(case: Case):
    """Do the two forms agree in direction on the items they share (sleep, tiredness)? A symptom
    that bothers someone "a lot" on the PHQ-15 is not "not at all" on the PHQ-9, and vice versa."""
    phq9 = case.screeners.by_key("phq9")
    phq15 = case.screeners.by_key("phq15")
    for nine, fifteen in (("sleep", "sleep"), ("tired", "tired")):
        assert not (phq15[fifteen] == 2 and phq9[nine] == 0), nine
        assert not (phq9[nine] >= 2 and phq15[fifteen] == 0), nine


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_menstrual_item_matches_the_person(case: Case):
    """Is the PHQ-15 menstrual item not applicable for men, and explained by an administration
    note whenever a person who is not a woman answers it?"""
    gender = case.demographics.gender.lower()
    if gender == "man":
        assert not case.screeners.phq15_menstrual_applicable
    if case.screeners.phq15_menstrual_applicable and gender != "woman":
        notes = " ".join(case.screeners.administration_notes).lower()
        assert "women only" in notes


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_checklist_item_is_addressed(case: Case):
    """Does the stigma review answer exactly the checklist items?"""
    assert set(case.stigma_review.items) == {item.id for item in stigma_checklist()}
    assert all(text.strip() for text in case.stigma_review.items.values())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_interview_answers_cover_the_bank(case: Case):
    """Are key questions in the bank and answered, and does the case answer every question?"""
    assert set(case.interview.key_questions) <= set(BANK_IDS)
    assert 5 <= len(case.interview.key_questions) <= 12
    assert set(case.interview.answers) == set(BANK_IDS)
    for qid in BANK_IDS:
        assert case.answer(qid) == case.interview.answers[qid]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_public_dict_hides_expert_material(case: Case):
    """Does the learner view drop the formulation, care plan, key questions, teaching points and
    review, keep the findings and answers, and serialise to JSON?"""
    public = case.to_public_dict()
    for key in ("formulation", "care_plan", "teaching_points", "stigma_review"):
        assert key not in public
    assert "key_questions" not in public["interview"]
    assert public["interview"]["answers"] == dict(case.interview.answers)
    assert [f["id"] for f in public["findings"]] == [f.id for f in case.findings]
    json.dumps(public)
    full = case.to_dict()
    assert full["formulation"] == case.expert_formulation().to_dict()


# --------------------------------------------------------------------------------------------
# Question bank and checklist
# --------------------------------------------------------------------------------------------


def test_question_bank_shape():
    """Does the bank hold 30-45 unique questions across all domains and both styles?"""
    bank = question_bank()
    assert 30 <= len(bank) <= 45
    assert len({q.id for q in bank}) == len(bank)
    assert {q.domain for q in bank} == set(DOMAINS)
    assert {q.style for q in bank} == {"open", "closed"}


def test_question_bank_includes_agenda_ice_and_bathe():
    """Does the bank include agenda setting, the three ICE items and the four BATHE items?"""
    frameworks = " | ".join(q.framework or "" for q in question_bank())
    for part in ("Calgary-Cambridge", "ICE (Ideas)", "ICE (Concerns)", "ICE (Expectations)"):
        assert part in frameworks
    for part in ("Background", "Affect", "Trouble", "Handling"):
        assert f"BATHE ({part})" in frameworks
    assert "q-what-else" in BANK_IDS


def test_checklist_has_eight_to_twelve_sourced_items():
    """Does the checklist have 8-12 unique items, each with a question, a reason and a source?"""
    items = stigma_checklist()
    assert 8 <= len(items) <= 12
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert item.question.endswith("?")
        assert item.why
        assert any(ch.isdigit() for ch in item.source)
    ids = {i.id for i in items}
    assert {"group-not-explanation", "person-first-language", "interpreter-use"} <= ids


# --------------------------------------------------------------------------------------------
# The language scan
# --------------------------------------------------------------------------------------------

BRIEF_TERMS = [
    "denies",
    "claims",
    "non-compliant",
    "noncompliant",
    "frequent flyer",
    "drug-seeking",
    "sickler",
    "refused",
    "combative",
    "poor historian",
    "hysterical",
    "somatizer",
]


@pytest.mark.parametrize("term", BRIEF_TERMS)
def test_scan_finds_each_required_term(term: str):
    """Is each term from the brief flagged in a sentence, in upper case too?"""
    hits = scan_text(f"Note: the patient was {term.upper()} today.")
    assert len(hits) == 1
    assert hits[0].matched.lower() == term


def test_scan_respects_word_boundaries():
    """Are look-alike words (Denise, reclaims, refusedness) left alone?"""
    assert scan_text("Denise reclaims her garden; disclaimers apply; frequent flights.") == []


def test_scan_matches_spacing_variants_and_reports_positions():
    """Do hyphen and space variants map to one canonical term, with correct offsets?"""
    text = "Was non compliant, then Frequent-Flyer."
    hits = scan_text(text)
    assert [h.term for h in hits] == ["non-compliant", "frequent flyer"]
    assert [text[h.start : h.end] for h in hits] == ["non compliant", "Frequent-Flyer"]


def test_scan_marks_quoted_hits():
    """Is a term inside straight or curly quotes marked quoted, and a bare one not?"""
    hits = scan_text('She was told "it\'s just stress"; later, “pseudoseizure”; he denies pain.')
    assert [(h.term, h.quoted) for h in hits] == [
        ("just stress", True),
        ("pseudoseizure", True),
        ("denies", False),
    ]


def test_scan_gives_alternatives_for_every_term():
    """Does every flagged term carry an alternative, a reason and a source?"""
    terms = flagged_terms()
    assert len(terms) >= 20
    for term in terms:
        assert term.alternative
        assert term.why
        assert term.source


def test_scan_rejects_non_text():
    """Does scan_text reject a non-string with ValueError?"""
    with pytest.raises(ValueError, match="string"):
        scan_text(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Bad files (instructors' own cases)
# --------------------------------------------------------------------------------------------


def _raw_case() -> dict:
    text = (DATA / "cases" / "c01-chest-tightness.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _write(tmp_path: Path, data: dict, name: str = "c01-chest-tightness") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_valid_copy_loads_from_any_folder(tmp_path: Path):
    """Does an unchanged copy of a bundled case load with load_case_file?"""
    case = load_case_file(_write(tmp_path, _raw_case()))
    assert case.id == "c01-chest-tightness"
    assert case.expert_formulation() == load_case("c01-chest-tightness").expert_formulation()


def test_missing_field_names_file_and_field(tmp_path: Path):
    """Does a missing section raise CaseError naming the file and the field?"""
    data = _raw_case()
    del data["red_flags"]
    path = _write(tmp_path, data)
    with pytest.raises(CaseError) as info:
        load_case_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "red_flags" in message
    assert "missing" in message


def test_missing_nested_field_names_the_path(tmp_path: Path):
    """Does a missing nested field report its dotted path?"""
    data = _raw_case()
    del data["care_plan"]["follow_up_weeks"]
    with pytest.raises(CaseError, match=r"care_plan\.follow_up_weeks: missing required field"):
        load_case_file(_write(tmp_path, data))


def test_unknown_vocabulary_id_names_field_value_and_allowed(tmp_path: Path):
    """Does an id outside the vocabulary name the list position, the value and allowed ids?"""
    data = _raw_case()
    data["care_plan"]["team"][1] = "therapist"
    path = _write(tmp_path, data)
    with pytest.raises(CaseError) as info:
        load_case_file(path)
    message = str(info.value)
    assert path.name in message
    assert "care_plan.team[1]" in message
    assert "'therapist'" in message
    assert "behavioral_health_care_manager" in message


def test_wrong_type_names_field_and_value(tmp_path: Path):
    """Does a wrong type (text for an age) name the field, the value and the allowed range?"""
    data = _raw_case()
    data["demographics"]["age"] = "fifty-two"
    with pytest.raises(CaseError) as info:
        load_case_file(_write(tmp_path, data))
    message = str(info.value)
    assert "demographics.age" in message
    assert "'fifty-two'" in message
    assert "0 to 120" in message


def test_boolean_is_not_an_integer(tmp_path: Path):
    """Is a boolean rejected where a screener item number is expected?"""
    data = _raw_case()
    data["screeners"]["phq9"]["sleep"] = True
    with pytest.raises(CaseError, match=r"screeners\.phq9\.sleep.*True"):
        load_case_file(_write(tmp_path, data))


def test_malformed_yaml_names_file_and_line(tmp_path: Path):
    """Does malformed YAML raise CaseError with the file name and a line number?"""
    path = tmp_path / "c01-chest-tightness.yaml"
    path.write_text("id: c01-chest-tightness\ntitle: [unclosed\nsummary: x\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_case_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "malformed YAML at line" in message


def test_unknown_finding_in_formulation_names_cell_path(tmp_path: Path):
    """Does an unknown id in the grid name the exact cell path and the value?"""
    data = _raw_case()
    data["formulation"]["perpetuating"]["social"][1] = "f-not-a-finding"
    with pytest.raises(CaseError) as info:
        load_case_file(_write(tmp_path, data))
    message = str(info.value)
    assert "formulation.perpetuating.social[1]" in message
    assert "'f-not-a-finding'" in message


def test_unknown_p_names_allowed_values(tmp_path: Path):
    """Does a misspelt P name the allowed Ps?"""
    data = _raw_case()
    data["formulation"]["perpetual"] = data["formulation"].pop("perpetuating")
    with pytest.raises(CaseError) as info:
        load_case_file(_write(tmp_path, data))
    message = str(info.value)
    assert "formulation.perpetual" in message
    assert "predisposing, precipitating, perpetuating, protective" in message


def test_unused_finding_is_reported(tmp_path: Path):
    """Is a finding that no cell uses reported by id?"""
    data = _raw_case()
    data["findings"].append({"id": "f-orphan", "text": "Not placed anywhere"})
    with pytest.raises(CaseError, match="f-orphan"):
        load_case_file(_write(tmp_path, data))


def test_file_name_must_match_id(tmp_path: Path):
    """Does a file whose name differs from its id raise CaseError naming both?"""
    path = _write(tmp_path, _raw_case(), name="c77-other-name")
    with pytest.raises(CaseError, match=r"c01-chest-tightness.*c77-other-name"):
        load_case_file(path)


def test_screener_key_and_range_errors(tmp_path: Path):
    """Are a positional list, a missing key, an unknown key and an out-of-range answer each
    reported with their paths?"""
    data = _raw_case()
    data["screeners"]["gad7"] = [1, 2, 3, 1, 1, 1, 1]
    with pytest.raises(CaseError, match=r"screeners\.gad7: expected a mapping of item key"):
        load_case_file(_write(tmp_path, data))
    data = _raw_case()
    del data["screeners"]["phq15"]["headaches"]
    with pytest.raises(CaseError, match=r"screeners\.phq15: missing item key\(s\) \['headaches'\]"):
        load_case_file(_write(tmp_path, data))
    data = _raw_case()
    data["screeners"]["phq15"]["headache"] = data["screeners"]["phq15"].pop("headaches")
    with pytest.raises(CaseError, match=r"unknown item key\(s\) \['headache'\]"):
        load_case_file(_write(tmp_path, data))
    data = _raw_case()
    data["screeners"]["phq15"]["stomach_pain"] = 3
    with pytest.raises(CaseError, match=r"screeners\.phq15\.stomach_pain.*0 to 2, got 3"):
        load_case_file(_write(tmp_path, data))


def test_answers_land_on_the_bundled_form_by_key(tmp_path: Path):
    """Does an answer stored under a key reach that item on the bundled form, whatever the order
    of the keys in the file?"""
    data = _raw_case()
    phq15 = data["screeners"]["phq15"]
    data["screeners"]["phq15"] = dict(reversed(list(phq15.items())))
    case = load_case_file(_write(tmp_path, data))
    labels = instrument_info("phq15").labels
    for key, label in SCREENER_ITEM_KEYS["phq15"].items():
        assert case.screeners.phq15[labels.index(label)] == phq15[key]
    assert case.screeners.by_key("phq15") == phq15


def test_phq15_order_regression_c04_headaches_and_c01_fainting():
    """On the bundled (LOINC-order) form, does Megan Sorensen (c04) score headaches 2 and
    sexual intercourse 0, and Denise Carter (c01) fainting 0 (issue 13's order bug)?"""
    labels = instrument_info("phq15").labels
    megan = load_case("c04-daily-headaches").screeners.phq15
    denise = load_case("c01-chest-tightness").screeners.phq15
    assert megan[labels.index("headaches")] == 2
    assert megan[labels.index("pain or problems during sexual intercourse")] == 0
    assert denise[labels.index("fainting spells")] == 0
    assert denise[labels.index("chest pain")] == 2


def test_item_keys_cover_each_bundled_form_once():
    """Does every item key name exactly one item of the bundled form, covering all of them?"""
    for instrument, keys in SCREENER_ITEM_KEYS.items():
        labels = instrument_info(instrument).labels
        assert sorted(labels.index(label) for label in keys.values()) == list(range(len(labels)))
        assert [labels[item_position(instrument, k)] for k in item_keys(instrument)] == list(labels)


def test_phq15_menstrual_item_must_be_null_when_not_applicable(tmp_path: Path):
    """Is a scored menstrual item rejected when the item does not apply?"""
    data = _raw_case()
    data["screeners"]["phq15_menstrual_applicable"] = False
    with pytest.raises(CaseError, match=r"screeners\.phq15\.menstrual"):
        load_case_file(_write(tmp_path, data))


def test_unaddressed_checklist_item_is_named(tmp_path: Path):
    """Does a stigma review missing an item name that item?"""
    data = _raw_case()
    del data["stigma_review"]["items"]["interpreter-use"]
    with pytest.raises(CaseError, match=r"stigma_review\.items: .*interpreter-use"):
        load_case_file(_write(tmp_path, data))


def test_key_question_without_answer_is_named(tmp_path: Path):
    """Does a key question with no answer name its position and id?"""
    data = _raw_case()
    del data["interview"]["answers"]["q-trust"]
    with pytest.raises(CaseError, match=r"interview\.key_questions\[8\].*q-trust"):
        load_case_file(_write(tmp_path, data))


def test_unknown_question_id_is_named(tmp_path: Path):
    """Does an answer to a question outside the bank name the id and list the bank?"""
    data = _raw_case()
    data["interview"]["answers"]["q-favourite-colour"] = "Green."
    with pytest.raises(CaseError, match=r"q-favourite-colour.*q-open-story"):
        load_case_file(_write(tmp_path, data))


def test_unknown_top_level_field_is_named(tmp_path: Path):
    """Is a misspelt top-level field rejected with the allowed fields listed?"""
    data = _raw_case()
    data["teaching_point"] = data.pop("teaching_points")
    with pytest.raises(CaseError, match=r"teaching_point: unknown field.*teaching_points"):
        load_case_file(_write(tmp_path, data))


def test_partial_case_answers_fall_back(tmp_path: Path):
    """Does a case that answers only its key questions fall back to its default answer?"""
    data = _raw_case()
    keys = data["interview"]["key_questions"]
    data["interview"]["answers"] = {
        k: v for k, v in data["interview"]["answers"].items() if k in keys
    }
    data["interview"]["default_answer"] = "I'd rather not say."
    case = load_case_file(_write(tmp_path, data))
    assert case.answer("q-sleep") == "I'd rather not say."
    assert case.answer("q-trust") == data["interview"]["answers"]["q-trust"]
    with pytest.raises(ValueError, match="q-nope"):
        case.answer("q-nope")


def test_stigma_issues_catch_injected_problems(tmp_path: Path):
    """Do the automated checks catch an unquoted flagged term and a missing interpreter?"""
    data = _raw_case()
    data["summary"] = data["summary"] + " She was non-compliant with follow-up."
    data["health_system_history"]["experiences"].append("Staff called her a frequent flyer.")
    data["demographics"]["interpreter_needed"] = True
    case = load_case_file(_write(tmp_path, data))
    issues = stigma_issues(case)
    assert any(i.startswith("summary:") and "non-compliant" in i for i in issues)
    assert any("experiences[4]" in i and "outside quotation marks" in i for i in issues)
    assert any("medical_interpreter" in i for i in issues)
    assert any("'language'" in i for i in issues)


def test_loader_does_not_mutate_between_calls():
    """Is the cached library stable across calls, and safe from a caller changing the list?"""
    again = load_cases()
    assert [c.id for c in again] == CASE_IDS
    assert all(a is b for a, b in zip(again, CASES, strict=True))
    again.pop()
    assert len(load_cases()) == len(CASES)


def test_vocabulary_lookup_validates_name():
    """Does vocabulary() return a known list and reject an unknown one with the known names?"""
    assert "physical_therapist" in cases_module.vocabulary("team_roles")
    with pytest.raises(ValueError, match="team_roles"):
        cases_module.vocabulary("teams")
