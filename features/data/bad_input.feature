Feature: Bad input files
  What the CRM does with a customer file that is wrong: an empty file, a header line only, a file
  without a required column, malformed rows. The CRM refuses it with a message, or imports its
  valid rows exactly and names each row it refused - it never fails with a server error, damages a
  value or drops a row without saying so. The data-integrity report says, for each file, what the
  CRM did with it.

  Background:
    Given I am signed in as the administrator

  @FP-DAT-008 @error-case
  Scenario: An empty file is refused
    Given an empty customer file of contacts
    When I import the file into the contacts
    Then the import is refused

  @FP-DAT-008 @error-case
  Scenario: A file with a header line only imports nothing
    Given a customer file of contacts with a header line only
    When I import the file into the contacts
    Then the import is refused

  @FP-DAT-008 @FP-DAT-007 @error-case
  Scenario: Malformed rows are refused, never imported damaged
    Given a customer file of 8 contacts with malformed rows
    When I import the file into the contacts
    And I export the contact list as CSV
    Then the CRM refuses the file or keeps every field
    And the import reports every refused row with its reason

  @FP-DAT-008 @error-case
  Scenario: A file without the last name column keeps its other columns
    Given a customer file of 8 contacts without the "last name" column
    When I import the file into the contacts
    And I export the contact list as CSV
    Then the CRM refuses the file or keeps every field
