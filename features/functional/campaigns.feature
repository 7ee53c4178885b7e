Feature: Marketing campaigns
  Marketing staff build mailing lists from their contacts, write email templates with personalised
  fields and send campaigns to their mailing lists. A sending is only proven by the mail that
  arrives: the CRM sends through a test mail server that keeps every message it receives.
  A personalised field is written in square brackets: [first name], [last name].

  Background:
    Given I am signed in as the administrator
    And the CRM sends campaign mail through the test mail server

  @FP-MKT-001
  Scenario: Build a mailing list from contacts
    Given a contact "Ada Lovelace" with the email address "ada.lovelace@example.test"
    And a contact "Grace Hopper" with the email address "grace.hopper@example.test"
    When I create the mailing list "Spring customers" with the contacts "Ada Lovelace" and "Grace Hopper"
    Then the mailing list "Spring customers" holds exactly "Ada Lovelace" and "Grace Hopper"

  @FP-MKT-001 @boundary-case
  Scenario: A contact added twice is on the mailing list once
    Given a contact "Alan Turing" with the email address "alan.turing@example.test"
    And a mailing list "Research partners" with the contact "Alan Turing"
    When I add the contact "Alan Turing" to the mailing list "Research partners"
    Then the mailing list "Research partners" holds exactly "Alan Turing"

  @FP-MKT-001 @error-case
  Scenario: A mailing list without a name is refused
    When I try to create a mailing list with an empty name
    Then I am told the name is required
    And no mailing list was saved

  @FP-MKT-002
  Scenario: Create an email template with personalised fields
    When I create the email template "Spring greeting" with the subject "Spring offers" and the body "Dear [first name] [last name], our spring offers are here."
    Then the email template "Spring greeting" has the subject "Spring offers"
    And the email template "Spring greeting" has the body "Dear [first name] [last name], our spring offers are here."

  @FP-MKT-002 @error-case
  Scenario: A template with a field the CRM cannot fill is refused
    When I try to create the email template "Birthday wishes" with the subject "Happy birthday" and the body "Dear [first name], happy [birthday]!"
    Then I am told the body uses a field the CRM cannot fill
    And no email template "Birthday wishes" was saved

  @FP-MKT-002 @error-case
  Scenario: A template without a subject is refused
    When I try to create the email template "Untitled letter" with an empty subject and the body "Dear [first name],"
    Then I am told the subject is required
    And no email template "Untitled letter" was saved

  @FP-MKT-003
  Scenario: Create a marketing campaign with its mailing lists
    Given a mailing list "Autumn customers"
    And a mailing list "Autumn prospects"
    When I create the marketing campaign "Autumn 2030" for the mailing lists "Autumn customers" and "Autumn prospects"
    Then the marketing campaign "Autumn 2030" targets exactly the mailing lists "Autumn customers" and "Autumn prospects"

  @FP-MKT-003 @error-case
  Scenario: A marketing campaign without a name is refused
    When I try to create a marketing campaign with an empty name
    Then I am told the name is required
    And no marketing campaign was saved

  @FP-MKT-004 @FP-MKT-005
  Scenario: Send a campaign's personalised emails to its mailing list
    Given a contact "Katherine Johnson" with the email address "katherine.johnson@example.test"
    And a contact "Dorothy Vaughan" with the email address "dorothy.vaughan@example.test"
    And a mailing list "Launch list" with the contacts "Katherine Johnson" and "Dorothy Vaughan"
    And an email template "Launch letter" with the subject "We launch today" and the body "Dear [first name] [last name], we launch today."
    And a marketing campaign "Launch 2030" for the mailing list "Launch list"
    When I send the marketing campaign "Launch 2030" with the email template "Launch letter"
    Then exactly "Katherine Johnson" and "Dorothy Vaughan" each receive one email
    And every email has the subject "We launch today"
    And each email greets its recipient with "Dear [first name] [last name],"
    And the marketing campaign "Launch 2030" shows its emails were sent to "Katherine Johnson" and "Dorothy Vaughan"

  @FP-MKT-004 @FP-MKT-005 @boundary-case
  Scenario: A contact on two mailing lists gets one email and a contact without an address gets none
    Given a contact "Mary Jackson" with the email address "mary.jackson@example.test"
    And a contact "Annie Easley" with the email address "annie.easley@example.test"
    And a contact "Christine Darden" without an email address
    And a mailing list "Engineers" with the contacts "Mary Jackson" and "Annie Easley"
    And a mailing list "Mathematicians" with the contacts "Annie Easley" and "Christine Darden"
    And an email template "Team letter" with the subject "Team news" and the body "Hello [first name] [last name], here is the team news."
    And a marketing campaign "Team news 2030" for the mailing lists "Engineers" and "Mathematicians"
    When I send the marketing campaign "Team news 2030" with the email template "Team letter"
    Then exactly "Mary Jackson" and "Annie Easley" each receive one email
    And each email greets its recipient with "Hello [first name] [last name],"
    And the marketing campaign "Team news 2030" shows its emails were sent to "Mary Jackson" and "Annie Easley"

  @FP-MKT-004 @error-case
  Scenario: A sending without an email template is refused
    Given a contact "Hedy Lamarr" with the email address "hedy.lamarr@example.test"
    And a mailing list "Inventors" with the contact "Hedy Lamarr"
    And a marketing campaign "Quiet 2030" for the mailing list "Inventors"
    When I try to send the marketing campaign "Quiet 2030" without an email template
    Then I am told the email template is required
    And the marketing campaign "Quiet 2030" has no sending
