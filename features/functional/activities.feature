Feature: Activities
  Sales staff plan tasks, meetings and phone calls with their customers. An activity shows on the
  calendar of those who take part and on the page of the customer it concerns.
  Dates are written 2030-03-14 and times 09:30, in the user's time zone.

  Background:
    Given I am signed in as the administrator

  @FP-ACT-001
  Scenario: Create a task linked to an organisation
    Given an organisation "Acme Logistics"
    When I create the task "Prepare the renewal offer" for the organisation "Acme Logistics" on 2030-03-11 from 09:00 to 10:30
    Then the task "Prepare the renewal offer" is about the organisation "Acme Logistics"
    And the activity "Prepare the renewal offer" runs from 2030-03-11 09:00 to 2030-03-11 10:30

  @FP-ACT-001
  Scenario: Create a task linked to a contact
    Given a contact "Margaret Hamilton"
    When I create the task "Send the flight software notes" for the contact "Margaret Hamilton" on 2030-03-11 from 14:00 to 14:30
    Then the task "Send the flight software notes" has the participant "Margaret Hamilton"

  @FP-ACT-002
  Scenario: Schedule a meeting with contacts
    Given a contact "Ada Lovelace"
    And a contact "Charles Babbage"
    When I add a meeting with:
      | title        | Engine review                  |
      | start        | 2030-03-12 14:00               |
      | end          | 2030-03-12 15:00               |
      | participants | Ada Lovelace, Charles Babbage  |
    Then the meeting "Engine review" has the participants "Ada Lovelace" and "Charles Babbage"
    And the activity "Engine review" runs from 2030-03-12 14:00 to 2030-03-12 15:00

  @FP-ACT-003
  Scenario: Log a phone call with a contact
    Given a contact "Grace Hopper"
    When I log the phone call "Compiler questions" with the contact "Grace Hopper" on 2030-03-13 from 11:00 to 11:15
    Then the phone call "Compiler questions" has the participant "Grace Hopper"
    And the activity "Compiler questions" runs from 2030-03-13 11:00 to 2030-03-13 11:15

  @FP-ACT-004
  Scenario: See activities on the calendar
    Given my own task "Quarterly planning" on 2030-03-18 from 09:00 to 10:00
    And my own meeting "Board meeting" on 2030-03-19 from 14:00 to 16:00
    When I open my calendar on 2030-03-18
    Then my calendar shows "Quarterly planning" on 2030-03-18
    And my calendar shows "Board meeting" on 2030-03-19
    And my calendar does not show "Board meeting" on 2030-03-18

  @FP-ACT-005
  Scenario: See an organisation's activities on its page
    Given an organisation "Initech"
    And the task "Send the TPS report" for the organisation "Initech" on 2030-03-20 from 09:00 to 09:30
    And the meeting "Budget review" for the organisation "Initech" on 2030-03-21 from 10:00 to 11:00
    And my own task "Water the plants" on 2030-03-20 from 12:00 to 12:15
    Then the page of the organisation "Initech" lists the activities "Send the TPS report" and "Budget review"
    And the page of the organisation "Initech" does not list the activity "Water the plants"

  @FP-ACT-005
  Scenario: See a contact's activities on their page
    Given a contact "Peter Gibbons"
    And the phone call "Follow-up call" with the contact "Peter Gibbons" on 2030-03-20 from 15:00 to 15:10
    Then the page of the contact "Peter Gibbons" lists the activity "Follow-up call"

  @FP-ACT-003 @boundary-case
  Scenario: A phone call ending exactly when it starts is kept
    Given a contact "Joan Clarke"
    When I log the phone call "Missed call" with the contact "Joan Clarke" on 2030-03-14 from 09:00 to 09:00
    Then the activity "Missed call" runs from 2030-03-14 09:00 to 2030-03-14 09:00

  @FP-ACT-002 @FP-ACT-004 @boundary-case
  Scenario: A meeting spanning midnight shows on both days of the calendar
    Given a contact "Katherine Johnson"
    When I schedule the meeting "Night launch" with the contact "Katherine Johnson" from 2030-03-14 23:00 to 2030-03-15 01:00
    Then the activity "Night launch" runs from 2030-03-14 23:00 to 2030-03-15 01:00
    And my calendar shows "Night launch" on 2030-03-14
    And my calendar shows "Night launch" on 2030-03-15

  @FP-ACT-001 @FP-ACT-004 @boundary-case
  Scenario: An all-day task fills the whole day on the calendar
    Given an organisation "Globex"
    When I create the all-day task "Trade fair" for the organisation "Globex" on 2030-03-22
    Then the task "Trade fair" is an all-day activity on 2030-03-22
    And my calendar shows "Trade fair" as an all-day activity on 2030-03-22

  @FP-ACT-001 @error-case
  Scenario: An activity ending before it starts is refused
    When I try to create the task "Backwards task" on 2030-03-14 from 11:00 to 10:00
    Then I am told the end is before the start
    And no activity "Backwards task" was saved

  @FP-ACT-001 @error-case
  Scenario: An activity without a title is refused
    When I try to create a task without a title on 2030-03-14 from 10:00 to 11:00
    Then I am told the title is required
    And no activity was saved
