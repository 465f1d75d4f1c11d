// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/redactor.hpp>

using dial_analytics::flywheel::parse_pii_type;
using dial_analytics::flywheel::pii_type;
using dial_analytics::flywheel::pii_type_count;
using dial_analytics::flywheel::placeholder;
using dial_analytics::flywheel::redaction_counts;
using dial_analytics::flywheel::redactor;
using dial_analytics::flywheel::redactor_options;
using dial_analytics::flywheel::to_string;

namespace {

const redactor& shared() {
  static const redactor r;
  return r;
}

std::string redact(std::string_view text, redaction_counts* counts = nullptr,
                   const redactor& r = shared()) {
  std::string out;
  redaction_counts local;
  r.redact(text, out, counts ? *counts : local);
  return out;
}

}  // namespace

TEST_CASE("type names and placeholders round-trip", "[redactor]") {
  for (std::size_t i = 0; i < pii_type_count; ++i) {
    const auto t = static_cast<pii_type>(i);
    CHECK(parse_pii_type(to_string(t)) == t);
    CHECK(placeholder(t).front() == '<');
  }
  CHECK(to_string(pii_type::ip_address) == "ip_address");
  CHECK(placeholder(pii_type::us_ssn) == "<US_SSN>");
  CHECK(placeholder(pii_type::credit_card) == "<CREDIT_CARD>");
  CHECK_FALSE(parse_pii_type("EMAIL").has_value());
  CHECK_FALSE(parse_pii_type("").has_value());
}

TEST_CASE("every type is found and replaced by its placeholder", "[redactor]") {
  CHECK(redact("mail jane.doe@example.com now") == "mail <EMAIL> now");
  CHECK(redact("call (415) 555-0132 or +44 20 7946 0958") == "call <PHONE> or <PHONE>");
  CHECK(redact("card 4111 1111 1111 1111 exp 12/27") == "card <CREDIT_CARD> exp 12/27");
  CHECK(redact("pay to DE89 3704 0044 0532 0130 00.") == "pay to <IBAN>.");
  CHECK(redact("from 192.168.0.1 and 2001:db8::1") == "from <IP_ADDRESS> and <IP_ADDRESS>");
  CHECK(redact("ssn 536-90-4399") == "ssn <US_SSN>");
  CHECK(redact("10.0.0.1 536-90-4399 3 415-555-0132") == "<IP_ADDRESS> <US_SSN> 3 <PHONE>");
  CHECK(redact("key AKIAQ3EGRGFV4BKJ7ZWI") == "key <CREDENTIAL>");
  CHECK(redact("ghp_Xq7Lw2Zr9Kp4Tn6Vb8Hc1Jd3Fs5Gm0Ay2Eu4") == "<CREDENTIAL>");
  CHECK(redact("xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1") == "<CREDENTIAL>");
  CHECK(redact("sk_live_4eC39HqLyjWDarjtT1zdp7dc") == "<CREDENTIAL>");
  CHECK(redact("AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-") == "<CREDENTIAL>");
  CHECK(redact("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXZhbHVl") ==
        "Bearer <CREDENTIAL>");
  CHECK(redact("OPENAI_API_KEY=sk-Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1Df3Gh5") ==
        "OPENAI_API_KEY=<CREDENTIAL>");
}

TEST_CASE("a private key block is replaced through its END line", "[redactor]") {
  const std::string key =
      "-----BEGIN RSA PRIVATE "
      "KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1P\n"
      "t8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----";
  CHECK(redact("my key:\n" + key + "\nthanks") == "my key:\n<CREDENTIAL>\nthanks");
  CHECK(redact("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n") ==
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n");
}

TEST_CASE("only the password of a URL's user info is replaced", "[redactor]") {
  CHECK(redact("postgres://app:s3cr3t@db.example:5432/prod") ==
        "postgres://app:<CREDENTIAL>@db.example:5432/prod");
  CHECK(redact("postgres://app:${DB_PASSWORD}@db:5432/app") ==
        "postgres://app:${DB_PASSWORD}@db:5432/app");
  CHECK(redact("https://build@ci.example.com/job") == "https://build@ci.example.com/job");
}

TEST_CASE("validation rejects look-alikes: bad Luhn, bad IBAN checksum, bad octets, invalid SSN",
          "[redactor]") {
  CHECK(redact("4012-8888-8888-1882") == "4012-8888-8888-1882");
  CHECK(redact("DE89 3704 0044 0532 0130 01") == "DE89 3704 0044 0532 0130 01");
  CHECK(redact("GB29 NWBK 6016 1331 9268 1") == "GB29 NWBK 6016 1331 9268 1");  // too short
  CHECK(redact("999.1.1.1 and 192.168.1.256") == "999.1.1.1 and 192.168.1.256");
  CHECK(redact("2001::db8::1 and 684D:1111:222:3333:4444:5555:77") ==
        "2001::db8::1 and 684D:1111:222:3333:4444:5555:77");
  for (const char* ssn : {"000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000",
                          "078-05-1120", "123-45-6789", "536-90.4399"})
    CHECK(redact(ssn) == ssn);
  CHECK(redact("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx AKIAIOSFODNN7EXAMPLE") ==
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx AKIAIOSFODNN7EXAMPLE");
  CHECK(redact("123-456-7890") == "123-456-7890");  // NANP area codes do not start with 1
}

TEST_CASE("ordinary text, code, dates and versions are left alone", "[redactor]") {
  const std::vector<std::string> texts{
      "Meeting on 2024-06-03 at 14:30; upgrade 3.11.4 to 3.12.1, build 10.0.19041.",
      "for (std::size_t i = 0; i < v.size(); ++i) sum += v[i];",
      "std::cout << A::B::c(); rev = xs[::-1]; odd = xs[1::2]; let m = u8::MAX;",
      "created_at=1692449560123 id=12345678901234567 total 1,234,567.89",
      "MAC aa:bb:cc:dd:ee:ff, time 12:34:56, ratio 16:9, port 8080:80",
      "uuid 123e4567-e89b-12d3-a456-426614174000, sha 9f86d081884c7d659a2feaa0c55ad015",
      "logo@2x.png, @types/node, git@github.com:org/repo.git, OID 1.3.6.1.4.1.2021",
      "ISBN 978-3-16-148410-0; see RFC 4291 and ISO 8601; pip install scikit-learn",
      "",
  };
  redaction_counts counts;
  for (const std::string& t : texts) CHECK(redact(t, &counts) == t);
  CHECK(counts.total() == 0);
}

TEST_CASE("overlaps go to the stronger rule", "[redactor]") {
  // An IBAN whose digits also pass Luhn is one IBAN, not a card inside an IBAN.
  CHECK(redact("RS35 2600 0560 1001 6113 79") == "<IBAN>");
  // "::ffff:192.0.2.1" is one IPv6 address, not an IPv4 address behind a prefix.
  CHECK(redact("Mapped: ::ffff:192.0.2.1") == "Mapped: <IP_ADDRESS>");
  // The password wins over the e-mail address it seems to start; the host IP is redacted too.
  CHECK(redact("http://admin:hunter2@10.0.0.5:8080/") ==
        "http://admin:<CREDENTIAL>@<IP_ADDRESS>:8080/");
}

TEST_CASE("counts are per type and added up; the return value is the number replaced",
          "[redactor]") {
  redaction_counts counts;
  std::string out = "prefix:";
  const std::size_t n =
      shared().redact("a@example.com b@example.org 10.0.0.1 +1 415 555 0132", out, counts);
  CHECK(n == 4);
  CHECK(out == "prefix:<EMAIL> <EMAIL> <IP_ADDRESS> <PHONE>");
  CHECK(counts[pii_type::email] == 2);
  CHECK(counts[pii_type::ip_address] == 1);
  CHECK(counts[pii_type::phone] == 1);
  CHECK(counts.total() == 4);
  redaction_counts more;
  more[pii_type::email] = 3;
  counts += more;
  CHECK(counts[pii_type::email] == 5);
  CHECK(counts.total() == 7);
  const redaction_counts& view = counts;
  CHECK(view[pii_type::credential] == 0);
}

TEST_CASE("disabled types are left in the text", "[redactor]") {
  redactor_options options;
  options.enabled[static_cast<std::size_t>(pii_type::email)] = false;
  options.enabled[static_cast<std::size_t>(pii_type::ip_address)] = false;
  const redactor r(options);
  CHECK_FALSE(r.options().enabled[static_cast<std::size_t>(pii_type::email)]);
  redaction_counts counts;
  CHECK(redact("a@example.com 10.0.0.1 536-90-4399", &counts, r) ==
        "a@example.com 10.0.0.1 <US_SSN>");
  CHECK(counts.total() == 1);

  redactor_options none;
  none.enabled.fill(false);
  const redactor off(none);
  CHECK(redact("a@example.com 536-90-4399", nullptr, off) == "a@example.com 536-90-4399");
}

TEST_CASE("invalid UTF-8 and binary bytes are safe and kept around the matches", "[redactor]") {
  const std::string junk = "\xff\xfe\xc3(\x80\xed\xa0\x80";
  CHECK(redact(junk + "a@example.com" + junk) == junk + "<EMAIL>" + junk);
  CHECK(redact("caf\xc3\xa9 10.0.0.1 \xe2\x82\xac") == "caf\xc3\xa9 <IP_ADDRESS> \xe2\x82\xac");
  const std::string with_nul("x\0y 10.0.0.1\0", 14);
  CHECK(redact(with_nul) == std::string("x\0y <IP_ADDRESS>\0", 18));
}

TEST_CASE("long texts are redacted completely", "[redactor]") {
  std::string text, expected;
  for (int i = 0; i < 20000; ++i) {
    text += "line " + std::to_string(i) + " mail user@example.com from 10.1.2.3\n";
    expected += "line " + std::to_string(i) + " mail <EMAIL> from <IP_ADDRESS>\n";
  }
  redaction_counts counts;
  CHECK(redact(text, &counts) == expected);
  CHECK(counts[pii_type::email] == 20000);
  CHECK(counts[pii_type::ip_address] == 20000);
  const std::string digits(1 << 20, '7');  // one huge number: no card, no crash
  CHECK(redact(digits) == digits);
}

TEST_CASE("one redactor is used from several threads", "[redactor]") {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &ok] {
      for (int i = 0; i < 200; ++i)
        ok[static_cast<std::size_t>(t)] += redact("x a@example.com y") == "x <EMAIL> y";
    });
  for (std::thread& th : threads) th.join();
  for (int n : ok) CHECK(n == 200);
}

TEST_CASE("a moved-from redactor copies the text; the moved-to one redacts", "[redactor]") {
  redactor a;
  redactor b(std::move(a));
  CHECK(redact("a@example.com", nullptr, b) == "<EMAIL>");
  redactor c;
  c = std::move(b);
  CHECK(redact("a@example.com", nullptr, c) == "<EMAIL>");
}
