//! Amounts, ratios, durations and delays: parsing, canonical printing, error texts.

use cosmwasm_std::Decimal;

use crate::scenario::{Amount, Delay, DurationValue, Ratio};

/// Deserializes one value from JSON text, returning serde_json's message without position.
fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
    })
}

/// Decimal integer strings parse to exact amounts, leading zeros included, up to 10^30.
#[test]
fn amount_parses_decimal_integer_strings() {
    assert_eq!(from_json::<Amount>(r#""0""#), Ok(Amount(0)));
    assert_eq!(
        from_json::<Amount>(r#""100000000""#),
        Ok(Amount(100_000_000))
    );
    assert_eq!(from_json::<Amount>(r#""007""#), Ok(Amount(7)));
    assert_eq!(
        from_json::<Amount>(r#""1000000000000000000000000000000""#),
        Ok(Amount(crate::scenario::limits::AMOUNT_MAX))
    );
    assert_eq!(Amount(7).uint128(), cosmwasm_std::Uint128::new(7));
}

/// Negative, non-numeric, empty, fractional, padded and numeric amounts are rejected with the
/// expected form in the message.
#[test]
fn amount_rejects_everything_else() {
    let expected = "expected a decimal integer string like \"100000000\"";
    for (json, got) in [
        (r#""-5""#, r#""-5""#),
        (r#""abc""#, r#""abc""#),
        (r#""""#, r#""""#),
        (r#""1.5""#, r#""1.5""#),
        (r#"" 1""#, r#"" 1""#),
        (r#""+1""#, r#""+1""#),
        (r#""1e6""#, r#""1e6""#),
    ] {
        assert_eq!(
            from_json::<Amount>(json),
            Err(format!("{expected}, got {got}")),
            "{json}"
        );
    }
    assert_eq!(
        from_json::<Amount>("100"),
        Err(format!(
            "{expected}, got the number 100 (write it as a string: \"100\")"
        ))
    );
    assert_eq!(
        from_json::<Amount>("-3"),
        Err(format!("{expected}, got the number -3"))
    );
    assert_eq!(
        from_json::<Amount>("true"),
        Err(format!("invalid type: boolean `true`, {expected}"))
    );
    assert_eq!(
        from_json::<Amount>(r#""340282366920938463463374607431768211456""#),
        Err(
            "amount \"340282366920938463463374607431768211456\" is too large: at most 10^30 \
             (1000000000000000000000000000000) base units"
                .to_owned()
        )
    );
}

/// Amounts serialize back to their canonical decimal string.
#[test]
fn amount_serializes_as_string() {
    assert_eq!(
        serde_json::to_string(&Amount(1_000_000)).unwrap(),
        r#""1000000""#
    );
    assert_eq!(serde_json::to_string(&Amount(0)).unwrap(), r#""0""#);
}

/// Decimal strings parse to exact Decimals and print back canonically.
#[test]
fn ratio_parses_decimal_strings() {
    assert_eq!(
        from_json::<Ratio>(r#""0.5""#),
        Ok(Ratio(Decimal::percent(50)))
    );
    assert_eq!(from_json::<Ratio>(r#""1""#), Ok(Ratio(Decimal::one())));
    assert_eq!(
        from_json::<Ratio>(r#""0.10""#),
        Ok(Ratio(Decimal::percent(10)))
    );
    assert_eq!(
        from_json::<Ratio>(r#""0.000000000000000001""#),
        Ok(Ratio(Decimal::new(cosmwasm_std::Uint128::new(1))))
    );
    assert_eq!(
        serde_json::to_string(&Ratio::lit("0.10")).unwrap(),
        r#""0.1""#
    );
    assert_eq!(serde_json::to_string(&Ratio::lit("2")).unwrap(), r#""2""#);
}

/// Negative, malformed, numeric and over-precise ratios are rejected.
#[test]
fn ratio_rejects_everything_else() {
    let expected = "expected a decimal string like \"0.5\"";
    for json in [
        r#""-0.1""#,
        r#"".5""#,
        r#""1.""#,
        r#""abc""#,
        r#""1e3""#,
        r#""""#,
    ] {
        assert_eq!(
            from_json::<Ratio>(json),
            Err(format!("{expected}, got {json}")),
            "{json}"
        );
    }
    assert_eq!(
        from_json::<Ratio>("0.5"),
        Err(format!(
            "{expected}, got the number 0.5 (write it as a string: \"0.5\")"
        ))
    );
    assert_eq!(
        from_json::<Ratio>(r#""0.0000000000000000001""#),
        Err(
            "\"0.0000000000000000001\" has more than 18 decimals (the precision of a chain's \
             decimals)"
                .to_owned()
        )
    );
    assert_eq!(
        from_json::<Ratio>(r#""1000000000000000000.5""#),
        Err(
            "\"1000000000000000000.5\" is too large: at most 10^18 with at most 18 decimals"
                .to_owned()
        )
    );
    assert_eq!(
        from_json::<Ratio>(r#""1000000000000000000""#),
        Ok(Ratio::lit("1000000000000000000"))
    );
}

/// Every unit and the integer-seconds form parse to exact milliseconds.
#[test]
fn duration_parses_units_and_seconds() {
    for (json, ms) in [
        (r#""500ms""#, 500),
        (r#""30s""#, 30_000),
        (r#""10m""#, 600_000),
        (r#""2h""#, 7_200_000),
        (r#""21d""#, 1_814_400_000),
        (r#""0s""#, 0),
        ("30", 30_000),
        ("0", 0),
    ] {
        assert_eq!(
            from_json::<DurationValue>(json),
            Ok(DurationValue(ms)),
            "{json}"
        );
    }
}

/// Unitless strings, spaces, fractions, negative values and unknown units are rejected naming
/// the accepted forms.
#[test]
fn duration_rejects_everything_else() {
    let expected = "expected a duration like \"500ms\", \"30s\", \"10m\", \"2h\", \"21d\" or an \
                    integer number of seconds";
    for json in [
        r#""10""#,
        r#""10 m""#,
        r#""1.5h""#,
        r#""-1s""#,
        r#""s""#,
        r#""10y""#,
        r#""10M""#,
        r#""""#,
    ] {
        assert_eq!(
            from_json::<DurationValue>(json),
            Err(format!("{expected}, got {json}")),
            "{json}"
        );
    }
    assert_eq!(
        from_json::<DurationValue>("-5"),
        Err(format!("{expected}, got -5"))
    );
    assert_eq!(
        from_json::<DurationValue>("1.5"),
        Err(format!("{expected}, got 1.5"))
    );
    assert_eq!(
        from_json::<DurationValue>(r#""99999999999999999999d""#),
        Err(
            "duration \"99999999999999999999d\" is beyond the simulation horizon: at most \
             10000d (about 27 years)"
                .to_owned()
        )
    );
    assert_eq!(
        from_json::<DurationValue>(r#""10001d""#),
        Err(
            "duration \"10001d\" is beyond the simulation horizon: at most 10000d (about 27 years)"
                .to_owned()
        )
    );
    assert_eq!(
        from_json::<DurationValue>("864000001"),
        Err("duration 864000001 seconds is beyond the simulation horizon: at most 10000d (about 27 years)".to_owned())
    );
    assert_eq!(
        from_json::<DurationValue>(r#""10000d""#),
        Ok(crate::scenario::limits::HORIZON)
    );
    assert_eq!(
        from_json::<DurationValue>("30.0"),
        Ok(DurationValue(30_000))
    );
}

/// Durations print with the largest unit that divides them exactly.
#[test]
fn duration_prints_canonically() {
    for (ms, text) in [
        (0, "0s"),
        (1_500, "1500ms"),
        (90_000, "90s"),
        (600_000, "10m"),
        (3_600_000, "1h"),
        (5_400_000, "90m"),
        (1_814_400_000, "21d"),
    ] {
        assert_eq!(DurationValue(ms).to_string(), text);
        assert_eq!(
            serde_json::to_string(&DurationValue(ms)).unwrap(),
            format!("\"{text}\"")
        );
    }
}

/// A delay is a duration or a {min, max} range with min <= max; both print back as written.
#[test]
fn delay_is_fixed_or_a_range() {
    assert_eq!(
        from_json::<Delay>(r#""5s""#),
        Ok(Delay::Fixed(DurationValue(5_000)))
    );
    assert_eq!(
        from_json::<Delay>("2"),
        Ok(Delay::Fixed(DurationValue(2_000)))
    );
    let range = from_json::<Delay>(r#"{"min": "1s", "max": "30s"}"#).unwrap();
    assert_eq!(
        range,
        Delay::Range {
            min: DurationValue(1_000),
            max: DurationValue(30_000)
        }
    );
    assert_eq!(
        (range.min(), range.max()),
        (DurationValue(1_000), DurationValue(30_000))
    );
    assert_eq!(
        serde_json::to_string(&range).unwrap(),
        r#"{"min":"1s","max":"30s"}"#
    );
    // min <= max is checked with the references (validate.rs): the schema cannot say it.
    assert!(from_json::<Delay>(r#"{"min": "30s", "max": "1s"}"#).is_ok());
    assert_eq!(
        from_json::<Delay>(r#"{"min": "1s"}"#),
        Err("missing field `max`".to_owned())
    );
    assert_eq!(
        from_json::<Delay>("[1, 2]"),
        Err(
            "invalid type: sequence, expected a duration like \"5s\" or a range like \
             {\"min\": \"1s\", \"max\": \"30s\"}"
                .to_owned()
        )
    );
}
