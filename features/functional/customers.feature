Feature: Customer management
  Sales staff keep the companies (organisations) and people (contacts) they work with:
  add, edit, find, delete to the trash and restore. Names in any language are kept exactly.

  Background:
    Given I am signed in as the administrator

  @FP-CUS-001
  Scenario: Add an organisation
    When I add an organisation "Acme Logistics"
    Then the organisation "Acme Logistics" exists

  @FP-CUS-002
  Scenario: Add a contact working for an organisation
    Given an organisation "Northwind Traders"
    When I add a contact "Ada Lovelace" working for "Northwind Traders"
    Then the contact "Ada Lovelace" exists
    And the contact "Ada Lovelace" works for "Northwind Traders"

  @FP-CUS-003
  Scenario: Edit an organisation
    Given an organisation "Globex"
    When I rename the organisation "Globex" to "Globex Corporation"
    Then the organisation "Globex Corporation" exists
    And there is no organisation "Globex"

  @FP-CUS-006
  Scenario: Search the organisation list
    Given an organisation "Initech"
    And an organisation "Initrode"
    And an organisation "Umbrella"
    When I search the organisations for "Init"
    Then the organisation list shows "Initech" and "Initrode"
    And the organisation list does not show "Umbrella"

  @FP-CUS-004 @FP-CUS-005
  Scenario: Delete an organisation to the trash and restore it
    Given an organisation "Soylent"
    When I delete the organisation "Soylent"
    Then the organisation "Soylent" is in the trash
    When I restore "Soylent" from the trash
    Then the organisation "Soylent" exists
    And the organisation "Soylent" is not in the trash

  @FP-CUS-001 @error-case
  Scenario: An organisation without a name is refused
    When I try to add an organisation with an empty name
    Then I am told the name is required
    And no organisation was saved

  @FP-CUS-001 @boundary-case
  Scenario: An organisation name as long as the CRM allows is kept whole
    When I add an organisation whose name is as long as the CRM allows
    Then that organisation is saved with its full name

  @FP-CUS-002 @error-case
  Scenario: A contact without a last name is refused
    When I try to add a contact "Grace" with an empty last name
    Then I am told the last name is required
    And no contact "Grace" was saved

  @FP-CUS-001 @boundary-case
  Scenario Outline: Organisation names in any language are kept exactly
    When I add an organisation "<name>"
    Then the organisation "<name>" exists with exactly that name

    Examples:
      | name                       |
      | 北京星辰科技有限公司       |
      | Société Générale d'Ærø     |
      | Zoë Łukasiewicz & Söhne    |

  @FP-CUS-002 @boundary-case
  Scenario: A contact name in Chinese is kept exactly
    When I add a contact "李 小龙"
    Then the contact "李 小龙" exists
