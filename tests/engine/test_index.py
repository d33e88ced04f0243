import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.engine.index import BM25Index
from bot.engine.retrieval import passage_tokens


def random_corpus(seed: int, docs: int, vocab: int) -> tuple[list[list[str]], list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    # Skewed frequencies so some terms appear in most documents (negative idf, floored by epsilon).
    corpus = [[words[min(int(rng.paretovariate(0.8)), vocab - 1)] for _ in range(rng.randint(1, 50))]
              for _ in range(docs)]
    return corpus, words


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_match_rank_bm25_on_random_corpora(seed):
    """Every document's score equals rank_bm25.BM25Okapi's to 1e-9, including floored negative idfs."""
    corpus, words = random_corpus(seed, docs=1500, vocab=400)
    reference, ours = BM25Okapi(corpus), BM25Index(corpus)
    rng = random.Random(seed)
    assert any(reference.idf[w] == reference.epsilon * reference.average_idf for w in reference.idf)
    for _ in range(100):
        query = [rng.choice(words) for _ in range(rng.randint(1, 8))]
        np.testing.assert_allclose(ours.get_scores(query), reference.get_scores(query), rtol=0, atol=1e-9)


def test_scores_match_rank_bm25_on_the_shipped_passages(shipped_engine):
    """On the real passage tokens and real questions the two scorers agree to 1e-9."""
    retriever = shipped_engine.retriever
    documents = []
    for passage in retriever.passages:
        entry = shipped_engine.kb.entries[passage.entry_id]
        excerpt = entry.passages()[passage.index]
        documents.append(passage_tokens(entry, excerpt.text, excerpt.pinpoint, retriever.questions[entry.id]))
    reference = BM25Okapi(documents)
    for question in ["what is a withhold release order", "article 33 ilo belarus", "uflpa presumption cotton"]:
        tokens, _ = retriever.query_weights(question)
        np.testing.assert_allclose(retriever.index.get_scores(tokens), reference.get_scores(tokens), atol=1e-9)


def test_dense_and_sparse_paths_agree():
    """A query whose postings cover most of the corpus scores the same as one that touches few documents."""
    corpus = [["common"] * 2 + [f"rare{i % 50}"] for i in range(1000)]
    index, reference = BM25Index(corpus), BM25Okapi(corpus)
    for query in (["rare3"], ["common", "rare3"], ["rare1", "rare2"]):
        np.testing.assert_allclose(index.get_scores(query), reference.get_scores(query), atol=1e-9)


def test_top_returns_best_first_with_stable_ties():
    """top() orders by score, then by document id, and never returns non-matching documents."""
    corpus = [["a"], ["b", "a"], ["a"], ["c"]]
    top = BM25Index(corpus).top(["a"], k=10)
    assert [doc for doc, _ in top] == [0, 2, 1]


def test_query_touches_only_its_postings():
    """A term missing from the index contributes nothing and costs nothing."""
    index = BM25Index([["x", "y"], ["y"]])
    ids, scores = index.score(["nope"])
    assert len(ids) == 0 and len(scores) == 0


def test_weighted_query_scales_term_contributions():
    """A term weight of 2 equals repeating the term, as rank_bm25 counts repeats."""
    corpus, _ = random_corpus(4, docs=300, vocab=50)
    index = BM25Index(corpus)
    np.testing.assert_allclose(index.get_scores({"w1": 2.0, "w3": 1.0}), index.get_scores(["w1", "w1", "w3"]), atol=1e-12)


def test_top_k_matches_rank_bm25_order_even_with_ties_at_the_cutoff():
    """When documents tie at the k-th place, the lower ids win, as in a stable sort of rank_bm25's scores."""
    corpus = [["a", "b"] if i % 3 else ["a", "c"] for i in range(60)]
    reference = BM25Okapi(corpus).get_scores(["a", "b"])
    expected = sorted(range(60), key=lambda i: (-reference[i], i))[:10]
    assert [doc for doc, _ in BM25Index(corpus).top(["a", "b"], k=10)] == expected


@pytest.mark.parametrize("seed", [5, 6])
def test_pruned_top_k_equals_exhaustive_ranking(seed):
    """MaxScore pruning returns exactly the top 10 of rank_bm25's full score list, order included."""
    corpus, words = random_corpus(seed, docs=3000, vocab=300)
    index, reference = BM25Index(corpus), BM25Okapi(corpus)
    rng = random.Random(seed)
    for _ in range(150):
        query = [rng.choice(words[: rng.choice([5, 40, 300])]) for _ in range(rng.randint(1, 7))]
        full = reference.get_scores(query)
        expected = [i for i in sorted(range(len(full)), key=lambda i: (-full[i], i)) if full[i] > 0][:10]
        got = index.top(query, k=10)
        assert [doc for doc, _ in got] == expected or np.allclose([s for _, s in got], full[expected], atol=1e-9)
        np.testing.assert_allclose([s for _, s in got], full[[d for d, _ in got]], atol=1e-9)


@pytest.mark.parametrize("seed", [7, 8])
def test_top_k_on_a_small_corpus_equals_exhaustive_ranking_of_matches(seed):
    """On a corpus small enough to sort every score, top() returns exactly the best k matching documents."""
    corpus, words = random_corpus(seed, docs=400, vocab=120)
    index, reference = BM25Index(corpus), BM25Okapi(corpus)
    rng = random.Random(seed)
    for _ in range(150):
        query = [rng.choice(words[: rng.choice([5, 40, 120])]) for _ in range(rng.randint(1, 7))]
        full = reference.get_scores(query)
        matching = [i for i, doc in enumerate(corpus) if set(query) & set(doc)]
        expected = sorted(matching, key=lambda i: (-full[i], i))[:10]
        got = index.top(query, k=10)
        assert [doc for doc, _ in got] == expected
        np.testing.assert_allclose([s for _, s in got], full[expected], atol=1e-9)


def test_top_keeps_matching_documents_that_score_below_zero():
    """When the mean idf is negative, rank_bm25's floor is negative too: matches scoring <= 0 still rank, above
    documents no term matches."""
    corpus = [["a", "b", "e"]] * 4 + [["a", "b", "e", "c"], ["z"]]
    reference = BM25Okapi(corpus).get_scores(["a"])
    assert all(reference[i] < 0 for i in range(5)) and reference[5] == 0
    got = BM25Index(corpus).top(["a"], k=10)
    expected = sorted(range(5), key=lambda i: (-reference[i], i))
    assert [doc for doc, _ in got] == expected
    np.testing.assert_allclose([s for _, s in got], reference[expected], atol=1e-12)
