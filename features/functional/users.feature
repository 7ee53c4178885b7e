Feature: Users and roles
  The administrator creates the people who work in the CRM, gives each a role and puts them in
  teams. A sales representative sees and opens only the records she owns (or her team owns) and
  never the configuration pages; a sales manager sees every record. A user who signs out, or who
  is deactivated, no longer gets in.

  Background:
    Given I am signed in as the administrator
    And these roles:
      | role                 | sees         |
      | Sales representative | own records  |
      | Sales manager        | every record |
    And these users:
      | user  | role                 |
      | alice | Sales representative |
      | bob   | Sales representative |
      | maria | Sales manager        |

  @FP-USR-001
  Scenario: Create a user
    When I add a user "carol" with the role "Sales representative"
    Then the user "carol" exists with the role "Sales representative"
    And "carol" can sign in

  @FP-USR-001 @error-case
  Scenario: A user name that is already taken is refused, whatever its case
    When I try to add a user "ALICE" with the role "Sales representative"
    Then I am told the user name is already taken
    And there is no user "ALICE"

  @FP-USR-001 @error-case
  Scenario: A password confirmation that differs is refused
    When I try to add a user "dave" whose password confirmation differs
    Then I am told the passwords do not match
    And there is no user "dave"

  @FP-USR-001 @boundary-case
  Scenario: A user name as long as the CRM allows is kept whole
    When I add a user whose user name is as long as the CRM allows
    Then that user exists with the full user name
    And that user can sign in

  @FP-USR-001 @boundary-case
  Scenario: A user's name with accents is kept exactly
    When I add a user "zoe" named "Zoë Łukasiewicz-Ångström" with the role "Sales representative"
    Then the user "zoe" exists with the name "Zoë Łukasiewicz-Ångström"

  @FP-USR-002
  Scenario: Create a role with its permissions
    When I create a role "Key account manager" that may view and change every record
    Then the role "Key account manager" may view and change every record

  @FP-USR-002
  Scenario: Create a role limited to own records
    When I create a role "Junior representative" that may view, change and delete only own records
    Then the role "Junior representative" may view, change and delete only own records

  @FP-USR-002 @error-case
  Scenario: A role without a name is refused
    When I try to create a role without a name
    Then I am told the name is required

  @FP-USR-002 @error-case
  Scenario: A role name that is already taken is refused
    When I try to create another role "Sales representative"
    Then I am told the role name is already taken

  @FP-USR-002 @boundary-case
  Scenario: A role without any module is refused
    When I try to create a role "Nothing at all" without any module
    Then I am told the role needs at least one module
    And there is no role "Nothing at all"

  @FP-USR-003
  Scenario: Create a team with its members
    When I create a team "north" with the members "alice" and "bob"
    Then the team "north" has the members "alice" and "bob"
    And "north" cannot sign in as a user

  @FP-USR-003 @FP-USR-004
  Scenario: Team members see the records their team owns
    Given a team "south" with the member "alice"
    And a contact "Tom Teamwork" owned by "south"
    When I sign in as "alice"
    And I search the contacts for "Teamwork"
    Then the contact list shows "Tom Teamwork"

  @FP-USR-003 @error-case
  Scenario: A team name already used by a user is refused
    When I try to create a team "bob" with the member "alice"
    Then I am told the team name is already taken

  @FP-USR-004
  Scenario: A sales representative sees only her own records
    Given a contact "Anna Kunde" owned by "alice"
    And a contact "Bernd Kunde" owned by "bob"
    And an organisation "Kunde Alpha" owned by "alice"
    And an organisation "Kunde Beta" owned by "bob"
    When I sign in as "alice"
    And I search the contacts for "Kunde"
    Then the contact list shows "Anna Kunde"
    And the contact list does not show "Bernd Kunde"
    When I search the organisations for "Kunde"
    Then the organisation list shows "Kunde Alpha"
    And the organisation list does not show "Kunde Beta"

  @FP-USR-004 @boundary-case
  Scenario: A contact a sales representative adds is her own
    Given I am signed in as "alice"
    When I add a contact "Lena Neumann"
    Then the contact "Lena Neumann" is owned by "alice"
    And I can open the contact "Lena Neumann"

  @FP-USR-005 @error-case
  Scenario: A sales representative is refused another owner's contact
    Given a contact "Bernd Privat" owned by "bob"
    When I sign in as "alice"
    And I try to open the contact "Bernd Privat"
    Then the CRM refuses to show it

  @FP-USR-005 @error-case
  Scenario: A sales representative is refused another owner's organisation
    Given an organisation "Privat Beta" owned by "bob"
    When I sign in as "alice"
    And I try to open the organisation "Privat Beta"
    Then the CRM refuses to show it

  @FP-USR-005 @boundary-case
  Scenario: A sales representative opens her own contact
    Given a contact "Anna Eigen" owned by "alice"
    When I sign in as "alice"
    And I try to open the contact "Anna Eigen"
    Then I see its page

  @FP-USR-006 @error-case
  Scenario Outline: A sales representative is refused the configuration pages
    When I sign in as "alice"
    And I try to open the configuration page "<page>"
    Then the CRM refuses to show it

    Examples:
      | page                  |
      | user management       |
      | role management       |
      | general configuration |

  @FP-USR-006 @boundary-case
  Scenario: A sales manager is refused the configuration pages too
    When I sign in as "maria"
    And I try to open the configuration page "user management"
    Then the CRM refuses to show it

  @FP-USR-007
  Scenario: A sales manager sees every record
    Given a contact "Carla Kundin" owned by "alice"
    And a contact "Dieter Kundin" owned by "bob"
    When I sign in as "maria"
    And I search the contacts for "Kundin"
    Then the contact list shows "Carla Kundin" and "Dieter Kundin"
    And I can open the contact "Dieter Kundin"

  @FP-USR-008
  Scenario: Reassign a customer to another sales representative
    Given an organisation "Umzug AG" owned by "alice"
    When I reassign the organisation "Umzug AG" to "bob"
    Then the organisation "Umzug AG" is owned by "bob"
    When I sign in as "bob"
    Then I can open the organisation "Umzug AG"

  @FP-USR-008 @boundary-case
  Scenario: The previous owner loses access to a reassigned contact
    Given a contact "Otto Wechsel" owned by "alice"
    And I reassign the contact "Otto Wechsel" to "bob"
    When I sign in as "alice"
    And I try to open the contact "Otto Wechsel"
    Then the CRM refuses to show it

  @FP-AUTH-004
  Scenario: Signing out ends the session
    Given I am signed in as "alice"
    When I sign out
    And I open the contacts
    Then I am asked to sign in

  @FP-AUTH-004 @boundary-case
  Scenario: The session of a signed-out user cannot be used again
    Given I am signed in as "bob"
    When I sign out
    And someone reuses my previous session
    And I open the contacts
    Then I am asked to sign in

  @FP-AUTH-005 @error-case
  Scenario: A deactivated user cannot sign in
    Given a sales representative "erik" with the role "Sales representative"
    When I deactivate the user "erik"
    Then the user "erik" is shown as inactive
    When I sign in as "erik"
    Then I see a sign-in error
    And I am not signed in

  @FP-AUTH-005 @boundary-case
  Scenario: Deactivating a signed-in user ends the session
    Given a sales representative "fiona" with the role "Sales representative"
    And "fiona" has signed in on another computer
    When I deactivate the user "fiona"
    And "fiona" goes on with that session
    And I open the contacts
    Then I am asked to sign in

  @FP-AUTH-005 @boundary-case
  Scenario: A reactivated user can sign in again
    Given a sales representative "gina" with the role "Sales representative"
    And the user "gina" has been deactivated
    When I reactivate the user "gina"
    And I sign in as "gina"
    Then I am signed in
