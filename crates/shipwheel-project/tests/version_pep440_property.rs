//! Property: on generated version strings, validity, normalization and ordering agree with
//! Python's `packaging` (the reference implementation pip uses), run from the peers venv.
//!
//! Cases are generated with proptest (deterministic seed) and checked in one batch, so one
//! Python process answers for all of them.

use std::str::FromStr;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use shipwheel_project::bump::{Bump, bump};
use shipwheel_project::uv_pep440::Version;

fn version_string() -> impl Strategy<Value = String> {
    let number = prop_oneof![0u64..12, 0u64..3000, Just(0u64)].prop_map(|n| n.to_string());
    let padded = (number.clone(), prop::bool::weighted(0.1))
        .prop_map(|(n, pad)| if pad { format!("0{n}") } else { n });
    let release = prop::collection::vec(padded, 1..5).prop_map(|parts| parts.join("."));
    let sep = prop::sample::select(vec!["", "", ".", "-", "_"]);
    let pre_kind = prop::sample::select(vec![
        "a", "alpha", "b", "beta", "rc", "c", "pre", "preview", "A", "RC", "Beta",
    ]);
    let pre = prop::option::weighted(
        0.4,
        (
            sep.clone(),
            pre_kind,
            sep.clone(),
            prop::option::weighted(0.8, 0u64..20),
        )
            .prop_map(|(s1, k, s2, n)| match n {
                Some(n) => format!("{s1}{k}{s2}{n}"),
                None => format!("{s1}{k}"),
            }),
    );
    let post = prop::option::weighted(
        0.25,
        prop_oneof![
            (
                sep.clone(),
                prop::sample::select(vec!["post", "rev", "r", "POST"]),
                sep.clone(),
                prop::option::of(0u64..9)
            )
                .prop_map(|(s1, k, s2, n)| match n {
                    Some(n) => format!("{s1}{k}{s2}{n}"),
                    None => format!("{s1}{k}"),
                }),
            (1u64..9).prop_map(|n| format!("-{n}")),
        ],
    );
    let dev = prop::option::weighted(
        0.25,
        (
            sep.clone(),
            prop::sample::select(vec!["dev", "DEV"]),
            prop::option::of(0u64..30),
        )
            .prop_map(|(s, k, n)| match n {
                Some(n) => format!("{s}{k}{n}"),
                None => format!("{s}{k}"),
            }),
    );
    let local = prop::option::weighted(
        0.15,
        prop::sample::select(vec![
            "+abc",
            "+abc.1",
            "+ubuntu-1",
            "+1_2.x",
            "+g1a2b3c",
            "+0",
        ]),
    );
    let epoch = prop::option::weighted(0.1, (0u64..3).prop_map(|e| format!("{e}!")));
    let prefix = prop::sample::select(vec!["", "", "", "v", "V"]);
    let space = prop::sample::select(vec!["", "", "", " "]);
    let valid_ish = (
        space.clone(),
        prefix,
        epoch,
        release,
        pre,
        post,
        dev,
        local,
        space,
    )
        .prop_map(|(s1, p, e, r, pre, post, dev, local, s2)| {
            format!(
                "{s1}{p}{}{r}{}{}{}{}{s2}",
                e.unwrap_or_default(),
                pre.unwrap_or_default(),
                post.unwrap_or_default(),
                dev.unwrap_or_default(),
                local.unwrap_or_default()
            )
        });
    let garbage = prop::sample::select(vec![
        "",
        "1..0",
        "a.b",
        "1.0+",
        "1.0-",
        "1.0.dev-",
        "1!",
        "!1.0",
        "1.0 rc1 x",
        "1.0+a..b",
        "1.0_",
        "foo",
    ])
    .prop_map(str::to_string);
    prop_oneof![9 => valid_ish, 1 => garbage]
}

const SCRIPT: &str = r#"
import json, sys
from packaging.version import Version, InvalidVersion
cases = json.load(sys.stdin)
out = {"normalized": [], "cmp": []}
parsed = []
for c in cases:
    try:
        v = Version(c)
        parsed.append(v)
        out["normalized"].append(str(v))
    except InvalidVersion:
        parsed.append(None)
        out["normalized"].append(None)
for a, b in zip(parsed, parsed[1:]):
    if a is None or b is None:
        out["cmp"].append(None)
    else:
        out["cmp"].append((a > b) - (a < b))
json.dump(out, sys.stdout)
"#;

fn packaging(cases: &[String]) -> serde_json::Value {
    test_support::peer_python_json(SCRIPT, &cases)
}

fn generate(n: usize) -> Vec<String> {
    let mut runner = TestRunner::deterministic();
    let strategy = version_string();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

#[test]
fn normalization_and_order_agree_with_packaging() {
    let mut cases = generate(1500);
    // Some pairs of equal-but-differently-spelled versions next to each other.
    cases.extend(
        [
            "1.0",
            "1.0.0",
            "1.0a",
            "1.0a0",
            "1.0-post",
            "1.0.post0",
            "v1",
            "1",
        ]
        .map(String::from),
    );
    let reference = packaging(&cases);
    let normalized = reference["normalized"].as_array().unwrap();
    let cmps = reference["cmp"].as_array().unwrap();
    let ours: Vec<Option<Version>> = cases.iter().map(|c| Version::from_str(c).ok()).collect();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let want = normalized[i].as_str();
        let got = ours[i].as_ref().map(|v| v.to_string());
        if want != got.as_deref() {
            failures.push(format!("{case:?}: packaging {want:?}, shipwheel {got:?}"));
        }
    }
    for (i, want) in cmps.iter().enumerate() {
        let (Some(a), Some(b)) = (&ours[i], &ours[i + 1]) else {
            continue;
        };
        let got = a.cmp(b) as i64;
        if want.as_i64() != Some(got) {
            failures.push(format!(
                "{:?} vs {:?}: packaging {want}, shipwheel {got}",
                cases[i],
                cases[i + 1]
            ));
        }
    }
    let valid = ours.iter().filter(|v| v.is_some()).count();
    assert!(
        valid > cases.len() / 2,
        "the generator must produce mostly valid versions ({valid})"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bumps_always_move_forward_in_packaging_order() {
    let cases: Vec<String> = generate(400)
        .into_iter()
        .filter(|c| Version::from_str(c).is_ok_and(|v| !v.is_local()))
        .collect();
    let mut pairs = Vec::new();
    for c in &cases {
        let v = Version::from_str(c).unwrap();
        for how in [
            Bump::Major,
            Bump::Minor,
            Bump::Patch,
            Bump::Pre(None),
            Bump::Post,
            Bump::Dev,
            Bump::Release,
        ] {
            if let Ok(next) = bump(&v, how) {
                pairs.push(v.to_string());
                pairs.push(next.to_string());
            }
        }
    }
    // packaging compares each (old, new) pair: consecutive entries at even positions.
    let reference = packaging(&pairs);
    let cmps = reference["cmp"].as_array().unwrap();
    let mut failures = Vec::new();
    for i in (0..pairs.len()).step_by(2) {
        if cmps[i].as_i64() != Some(-1) {
            failures.push(format!("{} -> {}", pairs[i], pairs[i + 1]));
        }
    }
    assert!(
        failures.is_empty(),
        "bumps that do not increase:\n{}",
        failures.join("\n")
    );
}
