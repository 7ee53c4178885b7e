Feature: Data integrity of imports and exports
  A customer file imported through the CRM's own import screens comes back exactly: in the
  exported list and on each record's own page, every field as the file had it, and every row the
  CRM refused is named with its reason. The files carry the values that break real imports:
  Chinese, accented, emoji and right-to-left names, commas, quotes, semicolons, tabs and line
  breaks inside fields, leading zeros and + in phone numbers and postcodes, values at and past the
  length limit, empty optional fields, dates, a duplicate row, leading and trailing spaces.

  Background:
    Given I am signed in as the administrator

  @FP-DAT-001 @FP-DAT-003 @FP-DAT-004 @FP-DAT-007
  Scenario: Imported contacts come back exactly in a CSV export
    Given a customer file of 30 contacts with tricky values
    When I import the file into the contacts
    And I export the contact list as CSV
    Then the import reports every refused row with its reason
    And every imported field matches the file

  @FP-DAT-002 @FP-DAT-005
  Scenario: Imported organisations come back exactly in an XLSX export
    Given a customer file of 25 organisations with tricky values as XLSX
    When I import the file into the organisations
    And I export the organisation list as XLSX
    Then every imported field matches the file

  @FP-DAT-006
  Scenario: Stored contacts keep every field of a file written by Excel on a Chinese Windows
    Given a customer file of 24 contacts with tricky values as GB18030 CSV
    When I import the file into the contacts
    Then the stored contacts match the file

  @FP-DAT-007 @error-case
  Scenario: A file in an encoding the CRM may not read is refused or kept intact, never damaged
    Given a customer file of 20 contacts with tricky values as UTF-16 CSV
    When I import the file into the contacts
    And I export the contact list as CSV
    Then the CRM refuses the file or keeps every field
