Feature: Customer management: contacts, the trash, saved filters, duplicates and merging
  Sales staff edit, delete, restore and find contacts as they do organisations. A record that
  other records still depend on cannot be deleted for good. Saved filters narrow a list to what
  matters. A second record with the same name is caught when it is added, and two records of the
  same customer can be merged into one.

  Background:
    Given I am signed in as the administrator

  @FP-CUS-003
  Scenario: Edit a contact
    Given a contact "Ada Byron"
    When I change the last name of the contact "Ada Byron" to "Lovelace"
    Then the contact "Ada Lovelace" exists
    And there is no contact "Ada Byron"

  @FP-CUS-003 @error-case
  Scenario: A contact cannot lose its last name
    Given a contact "Grace Hopper"
    When I try to change the last name of the contact "Grace Hopper" to nothing
    Then I am told the last name is required
    And the contact "Grace Hopper" exists

  @FP-CUS-004 @FP-CUS-005
  Scenario: Delete a contact to the trash and restore it
    Given a contact "Alan Turing"
    When I delete the contact "Alan Turing"
    Then the contact "Alan Turing" is in the trash
    And there is no contact "Alan Turing"
    When I restore "Alan Turing" from the trash
    Then the contact "Alan Turing" exists
    And the contact "Alan Turing" is not in the trash

  @FP-CUS-005 @boundary-case
  Scenario: A restored contact still works for its organisation
    Given an organisation "Bletchley Park"
    And a contact "Joan Clarke" working for "Bletchley Park"
    When I delete the contact "Joan Clarke"
    And I restore "Joan Clarke" from the trash
    Then the contact "Joan Clarke" works for "Bletchley Park"

  @FP-CUS-006
  Scenario: Search the contact list
    Given a contact "Marie Curie"
    And a contact "Pierre Curie"
    And a contact "Lise Meitner"
    When I search the contacts for "Curie"
    Then the contact list shows "Marie Curie" and "Pierre Curie"
    And the contact list does not show "Lise Meitner"

  @FP-CUS-006 @boundary-case
  Scenario: A search that matches no contact shows an empty list
    When I search the contacts for "Nobody-by-this-name"
    Then the contact list is empty

  @FP-CUS-007 @error-case
  Scenario: An organisation still targeted by an opportunity cannot be deleted for good
    Given an organisation "Hooli"
    And the organisation "Hooli" is the target of the opportunity "Hooli renewal"
    And the organisation "Hooli" has been deleted to the trash
    When I try to delete "Hooli" from the trash for good
    Then I am told it is still linked to the opportunity "Hooli renewal"
    And the organisation "Hooli" is in the trash

  @FP-CUS-007 @boundary-case
  Scenario: An organisation without links is deleted for good
    Given an organisation "Pied Piper"
    And the organisation "Pied Piper" has been deleted to the trash
    When I delete "Pied Piper" from the trash for good
    Then the organisation "Pied Piper" is not in the trash
    And there is no organisation "Pied Piper"

  @FP-CUS-008
  Scenario: Filter the organisation list with a saved filter
    Given an organisation "Star Alpha"
    And an organisation "Star Beta"
    And an organisation "Moon Gamma"
    And a saved filter "Star organisations" of organisations whose name starts with "Star"
    When I filter the organisations list with "Star organisations"
    Then the organisation list shows "Star Alpha" and "Star Beta"
    And the organisation list does not show "Moon Gamma"

  @FP-CUS-008
  Scenario: Filter the contact list with a saved filter
    Given a contact "Nina Nordlicht"
    And a contact "Nils Nordlicht"
    And a contact "Sven Suedwind"
    And a saved filter "Nordlicht family" of contacts whose last name equals "Nordlicht"
    When I filter the contacts list with "Nordlicht family"
    Then the contact list shows "Nina Nordlicht" and "Nils Nordlicht"
    And the contact list does not show "Sven Suedwind"

  @FP-CUS-008 @boundary-case
  Scenario: A saved filter that matches nothing shows an empty list
    Given a saved filter "Nothing here" of organisations whose name contains "No-such-organisation"
    When I filter the organisations list with "Nothing here"
    Then the organisation list is empty

  @FP-CUS-008 @error-case
  Scenario: A filter without any condition is refused
    When I try to save a filter "Everything" of organisations without any condition
    Then I am told the filter needs a condition
    And the organisations list offers no filter "Everything"

  @FP-CUS-010
  Scenario: Merge two organisations of the same customer
    Given an organisation "Wayne Enterprises"
    And an organisation "Wayne Ent."
    And a contact "Lucius Fox" working for "Wayne Ent."
    When I merge the organisation "Wayne Ent." into "Wayne Enterprises"
    Then the organisation "Wayne Enterprises" exists
    And there is no organisation "Wayne Ent."
    And the contact "Lucius Fox" works for "Wayne Enterprises"

  @FP-CUS-010
  Scenario: Merge two contacts of the same person
    Given a contact "Peter Parker"
    And a contact "Pete Parker"
    When I merge the contact "Pete Parker" into "Peter Parker"
    Then the contact "Peter Parker" exists
    And there is no contact "Pete Parker"

  @FP-CUS-010 @error-case
  Scenario: A merge that leaves the name empty is refused
    Given an organisation "Stark Industries"
    And an organisation "Stark Ind."
    When I try to merge the organisation "Stark Ind." into "Stark Industries" leaving the name empty
    Then I am told the name is required
    And the organisation "Stark Industries" exists
    And the organisation "Stark Ind." exists

  @FP-CUS-009 @error-case
  Scenario: Adding an organisation whose name already exists is caught
    Given an organisation "Twin Peaks Trading"
    When I add an organisation "Twin Peaks Trading" again
    Then the CRM warns me that an organisation "Twin Peaks Trading" already exists
    And there is only one organisation "Twin Peaks Trading"
