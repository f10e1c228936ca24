"""Facts of the article that the graph could get wrong, each written from the text.

Each expected value is read off the source text (the sentence is quoted beside it), not off the
program's output. The queries use the graph's own vocabulary, as a historian's query would.
"""

from __future__ import annotations

import pytest

from peron_kg.engines import oxigraph_store

PREFIXES = """
PREFIX pk:      <https://w3id.org/peron-kg/ontology#>
PREFIX bibo:    <http://purl.org/ontology/bibo/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX schema:  <https://schema.org/>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX article: <https://w3id.org/peron-kg/id/article/>
PREFIX concept: <https://w3id.org/peron-kg/id/concept/>
PREFIX organisation: <https://w3id.org/peron-kg/id/organisation/>
PREFIX person: <https://w3id.org/peron-kg/id/person/>
PREFIX place: <https://w3id.org/peron-kg/id/place/>
"""


@pytest.fixture(scope="module")
def store(assembled):
    return oxigraph_store(assembled)


def select(store, query: str) -> list[dict[str, str]]:
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [{v.value: row[v].value for v in rows.variables if row[v] is not None} for row in rows]


def ask(store, query: str) -> bool:
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))


def test_uriburu_overthrew_irigoyens_radical_party(store):
    # "In 1930, General Uriburu overthrew Irigoyen’s Radical Party"
    rows = select(store, """
        SELECT ?party WHERE {
          ?uriburu skos:altLabel "General Uriburu"@en ; pk:overthrew ?party .
          ?party skos:altLabel "Radical Party"@en .
        }""")
    assert len(rows) == 1
    # ... and the regime he began followed the one Irigoyen headed, ended by the same coup.
    assert ask(store, """
        ASK {
          ?old pk:headOfRegime/skos:altLabel "Irigoyen"@en ; pk:endedWith ?coup ;
               pk:succeededBy ?new .
          ?new pk:headOfRegime/skos:altLabel "Uriburu"@en ; pk:beganWith ?coup .
        }""")


def test_ortiz_castillo_deposed_justo(store):
    # "In 1938 the Ortiz-Castillo combination deposed Justo"
    assert ask(store, """
        ASK { ?regime skos:altLabel "Ortiz-Castillo"@en ; pk:deposed ?justo .
              ?justo skos:altLabel "Justo"@en . }""")


def test_argentinas_regimes_run_from_irigoyen_to_peron_in_order(store):
    rows = select(store, """
        SELECT ?regime (COUNT(?before) AS ?position) WHERE {
          ?regime pk:rules place:argentina .
          OPTIONAL { ?regime pk:precededBy+ ?before }
        } GROUP BY ?regime ORDER BY ?position""")
    order = [r["regime"].rsplit("/", 1)[-1] for r in rows]
    assert order == [
        "argentina-1916-yrigoyen",
        "argentina-1930-uriburu-justo",
        "argentina-1938-ortiz-castillo",
        "argentina-1943-military",
        "argentina-1946-peron",
    ]


def test_guerreros_article_appeared_in_octubre_no_3(store):
    # "(V. Guerrero, Continental Policy, Octubre, No. 3, p. 47)"
    rows = select(store, """
        SELECT ?number ?periodical WHERE {
          ?article dcterms:creator/skos:altLabel "V. Guerrero"@en ;
                   dcterms:title "Continental Policy of the Argentine Bourgeoisie"@en ;
                   dcterms:isPartOf ?issue .
          ?issue bibo:issue ?number ; dcterms:isPartOf/dcterms:title ?periodical .
        }""")
    assert rows == [{"number": "3", "periodical": "Octubre"}]


def test_the_article_is_on_pages_14_to_18_of_vol_xiv_no_1(store):
    # "From The New International, Vol. XIV No. 1, January 1948, pp. 14–18."
    rows = select(store, """
        SELECT ?start ?end ?volume ?number ?issued WHERE {
          article:peron-argentine-sub-imperialist bibo:pageStart ?start ; bibo:pageEnd ?end ;
              dcterms:isPartOf ?issue .
          ?issue bibo:volume ?volume ; bibo:issue ?number ; dcterms:issued ?issued .
        }""")
    assert rows == [{"start": "14", "end": "18", "volume": "XIV", "number": "1",
                     "issued": "1948-01"}]


def test_the_industrial_proletariat_was_1000000_in_1945(store):
    # "The size of the industrial proletariat increased from 470,000 in 1935 to 1,000,000 in
    # 1945. (Fourth International, Newsletter from Argentina, December 1945.)"
    rows = select(store, """
        SELECT ?year ?value ?source WHERE {
          ?statistic a pk:Statistic ; pk:referencePeriod ?year ;
                     pk:quote ?quote ; pk:quantity/schema:value ?value ;
                     pk:dataSource/dcterms:title ?source .
          FILTER(CONTAINS(?quote, "industrial proletariat increased"))
        } ORDER BY ?year""")
    assert [(r["year"], int(r["value"])) for r in rows] == [("1935", 470000), ("1945", 1000000)]
    assert {r["source"] for r in rows} == {"Newsletter from Argentina"}


def test_home_estimates_70_per_cent_of_the_peasantry_capitalist(store):
    # "Accordig to an estimate by Home, 70 per cent of the peasantry is capitalist in type"
    rows = select(store, """
        SELECT ?value ?unit WHERE {
          ?statistic a pk:Statistic ; pk:dataSource person:home ;
                     pk:quantity ?q .
          ?q schema:value ?value ; schema:unitText ?unit .
        }""")
    assert [(float(r["value"]), r["unit"]) for r in rows] == [(70.0, "per cent")]


def test_the_democratic_union_was_radicals_stalinists_and_socialists(store):
    # "defeating the “Democratic Union” composed of Radicals, Stalinists and Socialists"
    rows = select(store, """
        SELECT ?member WHERE {
          ?union skos:prefLabel "Democratic Union"@en .
          { ?union org:hasMember ?member } UNION { ?member org:memberOf ?union }
        } ORDER BY ?member""")
    rows = [dict(t) for t in {tuple(r.items()) for r in rows}]
    rows.sort(key=lambda r: r["member"])
    assert [r["member"].rsplit("/", 1)[-1] for r in rows] == [
        "communist-party-of-argentina",
        "radical-civic-union",
        "socialist-party-of-argentina",
    ]


def test_velasco_rebuts_the_semi_colonial_thesis(store):
    # "(2) The Argentine economy is capitalist par excellence." against "the author defines
    # Argentina’s character as being that of a semi-colonial and feudal country"
    assert ask(store, """
        ASK {
          ?velasco pk:heldBy person:luis-velasco ;
                   pk:quote "(2) The Argentine economy is capitalist par excellence." ;
                   pk:rebuts ?thesis .
          ?thesis pk:heldBy ?octubrist ; pk:about concept:semi-colonial-country .
          FILTER(?octubrist IN (person:victory-guerrero, person:niceto-andres,
                                organisation:octubre-group))
        }""")


def test_every_claim_velasco_does_not_hold_has_a_stance(store):
    rows = select(store, """
        SELECT ?claim WHERE {
          ?claim a ?type ; pk:heldBy ?holder .
          FILTER(?type IN (pk:Claim, pk:Statistic))
          FILTER NOT EXISTS { ?claim pk:heldBy person:luis-velasco }
          FILTER NOT EXISTS {
            article:peron-argentine-sub-imperialist ?stance ?claim .
            FILTER(?stance IN (pk:endorses, pk:disputes, pk:reports))
          }
        }""")
    assert rows == []


def test_the_wheat_prices_of_the_argentine_chilean_treaty(store):
    # "Peron pays $13 Argentine for 100 kilograms of wheat, selling it to Chile for $35 Argentine"
    rows = select(store, """
        SELECT ?value ?unit WHERE {
          ?statistic a pk:Statistic ; pk:quantity ?q .
          ?q schema:value ?value ; schema:unitText ?unit .
          FILTER(CONTAINS(?unit, "Argentine"))
        } ORDER BY ?value""")
    assert [int(float(r["value"])) for r in rows] == [13, 35]
