from bot.engine.analysis import QueryExpander, analyze, clean


def test_british_and_american_spellings_meet():
    """'labour' and 'labor', 'organisation' and 'organization' give the same terms."""
    assert analyze("forced labour organisation") == analyze("forced labor organization")


def test_article_references_become_one_term():
    """'art 26', 'Article 26' and 'Art. 26' all yield art_26."""
    for text in ("art 26", "Article 26", "Art. 26", "ARTICLE 26"):
        assert "art_26" in analyze(text)


def test_section_references_keep_subsections():
    """'§ 3(b)' and 'section 3 (b)' yield sec_3 and sec_3_b."""
    for text in ("§ 3(b)", "section 3 (b)", "sec. 3(b)"):
        terms = analyze(text)
        assert "sec_3" in terms and "sec_3_b" in terms


def test_code_references_are_recognised():
    """19 CFR 12.42 and 19 U.S.C. 1307 become their own terms, not stray numbers read as sections."""
    assert "cfr_19_12_42" in analyze("see 19 CFR 12.42(b)")
    terms = analyze("19 U.S.C. 1307")
    assert "usc_19_1307" in terms and "sec_1307" in terms and "sec_19" not in terms


def test_convention_number_forms_match_short_code():
    """'Convention No. 29' and 'C29' share the c29 term."""
    assert "c29" in analyze("Convention No. 29") and "c29" in analyze("c29")


def test_control_characters_split_words():
    """A control character between letters separates two words."""
    assert clean("WR\x00x").split() == ["wr", "x"]
    assert analyze("\u200b\u200b") == []


def test_zero_width_characters_inside_a_word_are_removed():
    """Zero-width and other format characters (Unicode Cf) vanish, so W\u200bR\u200bO analyses as wro."""
    assert analyze("W\u200bR\u200bO") == ["wro"]
    assert analyze("for\u00adced la\u200dbour\ufeff") == analyze("forced labour")


def test_stopwords_only_gives_no_terms():
    """A question made only of filler words has nothing to search for."""
    assert analyze("what is it about, hey?") == []


def test_acronym_expands_to_spelled_out_form_at_lower_weight():
    """An alias group makes WRO add 'withhold release order' terms, together worth at most one typed word."""
    expander = QueryExpander([["WRO", "withhold release order"]])
    weights = expander.expand(analyze("what is a wro"))
    assert weights["wro"] == 1
    added = [weights[t] for t in analyze("withhold release order")]
    assert all(0 < w <= expander.weight for w in added) and sum(added) <= 1.0


def test_phrase_expands_to_acronym():
    """The spelled-out phrase adds the acronym."""
    expander = QueryExpander([["WRO", "withhold release order"]])
    assert expander.expand(analyze("a withhold release order"))["wro"] == expander.weight


def test_discord_markup_is_ignored():
    """Mentions, role pings, channels, custom emoji and @everyone add no search terms."""
    noisy = "@everyone <@123> <@!456> <@&789> <#42> <:flag:999> <t:1700000000:R> what is a wro"
    assert analyze(noisy) == analyze("what is a wro")
