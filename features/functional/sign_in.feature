Feature: Sign in
  Only people with an account reach the CRM. A wrong password is refused with a message,
  and every page behind sign-in sends a visitor to the sign-in page first.

  @FP-AUTH-001
  Scenario: A user signs in with valid credentials
    Given I am not signed in
    When I sign in as the administrator
    Then I am signed in

  @FP-AUTH-002 @error-case
  Scenario: A wrong password is refused
    Given I am not signed in
    When I sign in as the administrator with the password "not-the-password"
    Then I see a sign-in error
    And I am not signed in

  @FP-AUTH-002 @boundary-case
  Scenario: An empty password is refused
    Given I am not signed in
    When I sign in as the administrator with the password ""
    Then I am not signed in

  @FP-AUTH-003
  Scenario: A page behind sign-in sends a visitor to sign in
    Given I am not signed in
    When I open the contacts
    Then I am asked to sign in
