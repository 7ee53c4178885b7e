Feature: Sales automation
  Sales representatives mark organisations as customers, prospects or suspects, turn leads
  (prospects and suspects) into opportunities, move each opportunity through the sales phases
  until it is won or lost, assign it to a sales representative or a team, and record its
  estimated and made sales. A won opportunity makes its organisation a customer.

  Background:
    Given I am signed in as the administrator

  # ------------------------------------------------------------------ customer status

  @FP-CUS-011
  Scenario: Mark an organisation as a customer
    Given an organisation "Acme Logistics"
    When I mark the organisation "Acme Logistics" as a customer
    Then the organisation "Acme Logistics" is a customer

  @FP-CUS-012
  Scenario: Mark an organisation as a prospect
    Given an organisation "Globex"
    When I mark the organisation "Globex" as a prospect
    Then the organisation "Globex" is a prospect
    And the organisation "Globex" is not a customer

  @FP-CUS-013
  Scenario: Mark an organisation as a suspect
    Given an organisation "Initech"
    When I mark the organisation "Initech" as a suspect
    Then the organisation "Initech" is a suspect
    And the organisation "Initech" is not a customer

  @FP-CUS-011 @boundary-case
  Scenario: A customer marked as a customer again holds the status once
    Given a customer "Umbrella Corporation"
    When I try to mark the organisation "Umbrella Corporation" as a customer again
    Then the organisation "Umbrella Corporation" holds the customer status only once

  # ------------------------------------------------------------------ leads become opportunities

  @FP-SAL-001
  Scenario: A prospect's lead becomes an opportunity
    Given a prospect "Northwind Traders"
    When I add an opportunity "Northwind fleet renewal" for "Northwind Traders" with estimated sales of 12,500
    Then the opportunity "Northwind fleet renewal" targets "Northwind Traders"
    And the organisation "Northwind Traders" has the opportunity "Northwind fleet renewal"

  @FP-SAL-001
  Scenario: A suspect's lead becomes an opportunity
    Given a suspect "Soylent"
    When I add an opportunity "Soylent pilot" for "Soylent"
    Then the opportunity "Soylent pilot" targets "Soylent"
    And the organisation "Soylent" has the opportunity "Soylent pilot"

  @FP-SAL-001 @error-case
  Scenario: An opportunity without a name is refused
    Given a prospect "Hooli"
    When I try to add an opportunity with an empty name for "Hooli"
    Then I am told the name is required
    And no opportunity was saved

  @FP-SAL-001 @error-case
  Scenario: An opportunity without a target organisation is refused
    When I try to add an opportunity "Orphan deal" without a target
    Then I am told the target is required
    And there is no opportunity "Orphan deal"

  # ------------------------------------------------------------------ sales phases

  @FP-SAL-002
  Scenario: Move an opportunity through the sales phases
    Given a prospect "Initrode"
    And an opportunity "Initrode upgrade" for "Initrode" in the phase "Forthcoming"
    When I move the opportunity "Initrode upgrade" to "In progress"
    Then the opportunity "Initrode upgrade" is in the phase "In progress"
    When I move the opportunity "Initrode upgrade" to "Under negotiation"
    Then the opportunity "Initrode upgrade" is in the phase "Under negotiation"

  @FP-SAL-002 @boundary-case
  Scenario: An opportunity can go back to an earlier phase
    Given a prospect "Massive Dynamic"
    And an opportunity "Massive Dynamic lab" for "Massive Dynamic" in the phase "Under negotiation"
    When I move the opportunity "Massive Dynamic lab" to "In progress"
    Then the opportunity "Massive Dynamic lab" is in the phase "In progress"

  @FP-SAL-002 @boundary-case
  Scenario: An abandoned opportunity does not make its organisation a customer
    Given a prospect "Gringotts"
    And an opportunity "Gringotts vault audit" for "Gringotts" in the phase "In progress"
    When I move the opportunity "Gringotts vault audit" to "Abandoned"
    Then the opportunity "Gringotts vault audit" is in the phase "Abandoned"
    And the organisation "Gringotts" is not a customer

  @FP-SAL-003
  Scenario: A won opportunity makes the organisation a customer
    Given a prospect "Stark Industries"
    And an opportunity "Stark armour deal" for "Stark Industries" in the phase "Under negotiation"
    When I move the opportunity "Stark armour deal" to "Won"
    Then the opportunity "Stark armour deal" is in the phase "Won"
    And the organisation "Stark Industries" is a customer

  @FP-SAL-004
  Scenario: Mark an opportunity as lost
    Given a prospect "Cyberdyne Systems"
    And an opportunity "Cyberdyne robotics" for "Cyberdyne Systems" in the phase "Under negotiation"
    When I mark the opportunity "Cyberdyne robotics" as lost
    Then the opportunity "Cyberdyne robotics" is in the phase "Lost"
    And the organisation "Cyberdyne Systems" is not a customer

  @FP-SAL-004 @boundary-case
  Scenario: A lost opportunity leaves an existing customer a customer
    Given a customer "Tyrell Corporation"
    And an opportunity "Tyrell replicant upgrade" for "Tyrell Corporation" in the phase "In progress"
    When I mark the opportunity "Tyrell replicant upgrade" as lost
    Then the opportunity "Tyrell replicant upgrade" is in the phase "Lost"
    And the organisation "Tyrell Corporation" is a customer

  # ------------------------------------------------------------------ owners

  @FP-SAL-005
  Scenario: Assign an opportunity to a sales representative
    Given a sales representative "Alice Martin"
    And a prospect "Vandelay Industries"
    And an opportunity "Vandelay latex order" for "Vandelay Industries" in the phase "In progress"
    When I assign the opportunity "Vandelay latex order" to "Alice Martin"
    Then the opportunity "Vandelay latex order" is owned by "Alice Martin"

  @FP-SAL-005 @boundary-case
  Scenario: Reassign an opportunity from one sales representative to another
    Given a sales representative "Alice Martin"
    And a sales representative "Bob Chen"
    And a prospect "Pendant Publishing"
    And an opportunity "Pendant reprint" for "Pendant Publishing" in the phase "Forthcoming"
    When I assign the opportunity "Pendant reprint" to "Alice Martin"
    And I assign the opportunity "Pendant reprint" to "Bob Chen"
    Then the opportunity "Pendant reprint" is owned by "Bob Chen"

  @FP-SAL-005 @error-case
  Scenario: An opportunity cannot be left without an owner
    Given a prospect "Pied Piper"
    And an opportunity "Pied Piper compression" for "Pied Piper" in the phase "In progress"
    When I try to leave the opportunity "Pied Piper compression" without an owner
    Then I am told the owner is required
    And the opportunity "Pied Piper compression" keeps its owner

  @FP-SAL-006
  Scenario: Assign an opportunity to a team
    Given a sales team "Key-Accounts" with "Alice Martin"
    And a prospect "Oceanic Airlines"
    And an opportunity "Oceanic charter" for "Oceanic Airlines" in the phase "In progress"
    When I assign the opportunity "Oceanic charter" to the team "Key-Accounts"
    Then the opportunity "Oceanic charter" is owned by the team "Key-Accounts"

  # ------------------------------------------------------------------ amounts

  @FP-SAL-007
  Scenario: Record estimated sales and made sales
    Given a prospect "Duff Beer"
    And an opportunity "Duff summer supply" for "Duff Beer" in the phase "Under negotiation"
    When I record estimated sales of 48,000 and made sales of 45,500 for the opportunity "Duff summer supply"
    Then the opportunity "Duff summer supply" shows estimated sales of 48,000 and made sales of 45,500

  @FP-SAL-007 @boundary-case
  Scenario: Sales of zero are kept as zero
    Given a prospect "Bluth Company"
    And an opportunity "Bluth banana stand" for "Bluth Company" with estimated sales of 5,000
    When I record estimated sales of 0 and made sales of 0 for the opportunity "Bluth banana stand"
    Then the opportunity "Bluth banana stand" shows estimated sales of 0 and made sales of 0

  @FP-SAL-007 @boundary-case
  Scenario: Sales of a billion are kept exactly
    Given a prospect "Weyland-Yutani"
    And an opportunity "Weyland colony ships" for "Weyland-Yutani" in the phase "Under negotiation"
    When I record estimated sales of 1,000,000,000 and made sales of 999,999,999 for the opportunity "Weyland colony ships"
    Then the opportunity "Weyland colony ships" shows estimated sales of 1,000,000,000 and made sales of 999,999,999

  @FP-SAL-007 @error-case
  Scenario: An amount above what the CRM allows is refused
    Given a prospect "Spacely Sprockets"
    And an opportunity "Spacely sprocket line" for "Spacely Sprockets" with estimated sales of 5,000
    When I try to record estimated sales just above what the CRM allows for the opportunity "Spacely sprocket line"
    Then I am told the estimated sales are not accepted
    And the opportunity "Spacely sprocket line" still shows estimated sales of 5,000

  @FP-SAL-007 @error-case
  Scenario: Negative estimated sales are refused
    Given a prospect "Dunder Mifflin"
    And an opportunity "Dunder paper contract" for "Dunder Mifflin" with estimated sales of 5,000
    When I try to record estimated sales of -1,000 for the opportunity "Dunder paper contract"
    Then I am told the estimated sales are not accepted
    And the opportunity "Dunder paper contract" still shows estimated sales of 5,000

  @FP-SAL-007 @error-case
  Scenario: Negative made sales are refused
    Given a prospect "Sterling Cooper"
    And an opportunity "Sterling campaign" for "Sterling Cooper" in the phase "Under negotiation"
    And the opportunity "Sterling campaign" has estimated sales of 8,000 and made sales of 7,500
    When I try to record made sales of -250 for the opportunity "Sterling campaign"
    Then I am told the made sales are not accepted
    And the opportunity "Sterling campaign" still shows made sales of 7,500

  @FP-SAL-007 @boundary-case
  Scenario: Sales with cents are never silently rounded
    Given a prospect "Prestige Worldwide"
    And an opportunity "Prestige boat show" for "Prestige Worldwide" with estimated sales of 5,000
    When I try to record estimated sales of 1,234.56 for the opportunity "Prestige boat show"
    Then the estimated sales of "Prestige boat show" are 1,234.56 exactly, unless the CRM refused them with a message

  # ------------------------------------------------------------------ a deal won from the start

  @FP-SAL-003 @boundary-case
  Scenario: An opportunity recorded as won from the start makes the organisation a customer
    Given a prospect "Wayne Enterprises"
    When I add an opportunity "Wayne closed deal" for "Wayne Enterprises" in the phase "Won"
    Then the opportunity "Wayne closed deal" is in the phase "Won"
    And the organisation "Wayne Enterprises" is a customer

  # ------------------------------------------------------------------ the largest amount
  # Last on purpose: if the CRM cannot cope with the amount it accepted, the scenarios after it
  # must not pay for it.

  @FP-SAL-007 @boundary-case
  Scenario: The largest amount the CRM allows is kept exactly
    Given a prospect "Wonka Industries"
    And an opportunity "Wonka chocolate river" for "Wonka Industries" in the phase "Forthcoming"
    When I record estimated sales as large as the CRM allows for the opportunity "Wonka chocolate river"
    Then the opportunity "Wonka chocolate river" shows that amount as estimated sales
