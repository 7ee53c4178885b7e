Feature: The CRM holds several users working at once
  Sales staff work in the CRM at the same time all day. While several of them sign in, search and
  open customers, add contacts and open opportunities, pages must still answer quickly and
  requests must not fail. This is the short smoke load of every acceptance run; the full load and
  stress profiles run with `signoff perf --profile load|stress`.

  @FP-PRF-001 @FP-PRF-002 @FP-PRF-003
  Scenario: A few users work in the CRM at the same time
    When 5 users work in the CRM at the same time for 20 seconds
    Then 95% of pages answer within 2 seconds
    And fewer than 1% of requests fail
