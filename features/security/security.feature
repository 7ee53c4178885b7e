Feature: Security acceptance
  The CRM holds the company's customers: it must keep out those who may not see them, refuse
  forged and hostile input, end sessions when users leave, and show nothing that helps an attacker.
  Real scanners (wapiti, sqlmap) and checks with real sign-ins look for weaknesses; each finding has
  a severity, and the plan says which severity fails the acceptance (by default: high or critical).

  @FP-SEC-005
  Scenario: Every page is sent with protective headers and error pages leak nothing
    When I run the response header checks
    And I run the error page checks
    Then no security finding reaches the plan's threshold

  @FP-SEC-001
  Scenario: Sign-in resists password guessing and sends users only to the CRM's own pages
    When I run the lockout checks
    And I run the open redirect checks
    Then no security finding reaches the plan's threshold

  @FP-SEC-003
  Scenario: Session cookies are protected and signing out ends the session
    When I run the session checks
    Then no security finding reaches the plan's threshold

  @FP-SEC-002
  Scenario: Each role reaches only what the role matrix allows
    When I run the role matrix checks
    Then no security finding reaches the plan's threshold

  @FP-SEC-004
  Scenario: Forged forms are refused and saved scripts never run
    When I run the CSRF checks
    And I run the stored XSS checks
    Then no security finding reaches the plan's threshold

  @FP-SEC-004
  Scenario: No injectable parameter in the forms and list searches
    When I run the sqlmap scan
    Then no security finding reaches the plan's threshold

  @FP-SEC-004 @FP-SEC-005
  Scenario: The vulnerability scan finds no serious weakness
    When I run the wapiti scan
    Then no security finding reaches the plan's threshold
