Feature: Records by their business fields
  Any field of an organisation, a contact or an opportunity is entered and checked by its
  business name, one record at a time or as a table; lists are searched, sorted, counted and
  read as tables. People are named first name first ("Grace Hopper"); a table may give the
  first and last names in their own columns.

  Background:
    Given I am signed in as the administrator

  @FP-CUS-001 @FP-CUS-014
  Scenario: An organisation is added with its website and city, both kept
    When I add an organisation "Acme Logistics" whose website is "https://acme-logistics.example" and city is "Shenzhen"
    Then the organisation "Acme Logistics" shows:
      | field   | value                          |
      | website | https://acme-logistics.example |
      | city    | Shenzhen                       |

  @FP-CUS-002 @FP-CUS-014
  Scenario: A contact added from a table keeps its phone exactly as typed
    Given an organisation "Huawei"
    When I add a contact with:
      | first name | last name | email             | phone            | organisation |
      | Lei        | Li        | li.lei@example.cn | 0086-10-12345678 | Huawei       |
    Then the contact "Lei Li" has the phone "0086-10-12345678"
    And the contact "Lei Li" works for "Huawei"
    When I change the phone of the contact "Lei Li" to "+86 10 8765 4321"
    Then the contact "Lei Li" has the phone "+86 10 8765 4321"

  @FP-CUS-003 @FP-CUS-014
  Scenario: A contact's mobile and email are changed and read back exactly
    Given a contact with:
      | first name | last name | mobile      | email              |
      | Grace      | Hopper    | +1 555 0100 | grace@navy.example |
    When I change the contact "Grace Hopper" to:
      | mobile | 0086 138 0013 8000         |
      | email  | Grace.Hopper@cobol.example |
    Then the contact "Grace Hopper" shows:
      | mobile | 0086 138 0013 8000         |
      | email  | Grace.Hopper@cobol.example |

  @FP-SAL-007
  Scenario: An opportunity's estimated sales and closing date are shown for it
    Given an organisation "Northwind Traders"
    When I add an opportunity with:
      | name                    | target            | estimated sales | closing date |
      | Northwind fleet renewal | Northwind Traders | 12,500          | 2030-03-14   |
    Then the opportunity "Northwind fleet renewal" shows:
      | estimated sales | 12,500     |
      | closing date    | 2030-03-14 |

  @FP-ACT-002
  Scenario: A meeting with three participants
    Given these contacts:
      | first name | last name |
      | Ada        | Lovelace  |
      | Alan       | Turing    |
      | Edsger     | Dijkstra  |
    When I schedule the meeting "Kick-off" with the contacts "Ada Lovelace", "Alan Turing" and "Edsger Dijkstra" on 2030-03-12 from 14:00 to 15:00
    Then the meeting "Kick-off" has the participants "Ada Lovelace", "Alan Turing" and "Edsger Dijkstra"

  @FP-MKT-001
  Scenario: A mailing list of four contacts
    Given these contacts:
      | first name | last name | email                     |
      | Barbara    | Liskov    | barbara.liskov@example.test |
      | Donald     | Knuth     | donald.knuth@example.test   |
      | Frances    | Allen     | frances.allen@example.test  |
      | John       | Backus    | john.backus@example.test    |
    When I create the mailing list "Pioneers" with the contacts "Barbara Liskov", "Donald Knuth", "Frances Allen" and "John Backus"
    Then the mailing list "Pioneers" holds exactly "Barbara Liskov", "Donald Knuth", "Frances Allen" and "John Backus"

  @FP-CUS-006
  Scenario: The contact list searched by first name shows exactly two contacts
    Given these contacts:
      | first name | last name | email                    |
      | Annika     | Archer    | annika.archer@example.test |
      | Annika     | Baker     | annika.baker@example.test  |
      | Boris      | Archer    | boris.archer@example.test  |
    When I search the contact list by first name "Annika"
    Then the contact list shows 2 contacts
    And the contact list shows exactly:
      | first name | last name | email                      |
      | Annika     | Archer    | annika.archer@example.test |
      | Annika     | Baker     | annika.baker@example.test  |

  @FP-CUS-006
  Scenario: The contact list filtered by a city its default view does not show
    Given these contacts:
      | first name | last name | city     |
      | Lei        | Citylist  | 深圳     |
      | Meimei     | Citylist  | 北京     |
    When I filter the contact list by city "深圳"
    Then the contact list shows 1 contact
    And the contact list shows exactly:
      | first name | last name | city |
      | Lei        | Citylist  | 深圳 |

  @FP-ACT-002 @FP-CUS-014
  Scenario: A meeting added from a field table keeps its place, participants and description
    Given these contacts:
      | first name | last name |
      | Barbara    | Liskov    |
      | Niklaus    | Wirth     |
    When I add a meeting with:
      | title        | Design review                 |
      | start        | 2030-04-02 10:00              |
      | end          | 2030-04-02 11:30              |
      | place        | Room Pascal                   |
      | participants | Barbara Liskov, Niklaus Wirth |
      | description  | Walk through the module plan  |
    Then the activity "Design review" shows:
      | type         | meeting                       |
      | start        | 2030-04-02 10:00              |
      | end          | 2030-04-02 11:30              |
      | place        | Room Pascal                   |
      | participants | Barbara Liskov, Niklaus Wirth |
      | description  | Walk through the module plan  |

  @FP-ACT-003
  Scenario: Phone calls arranged from a table are on the contact's page
    Given these contacts:
      | first name | last name |
      | Grace      | Callme    |
    And these phone calls:
      | title          | start            | end              | location | participants |
      | Morning call   | 2030-04-03 09:00 | 2030-04-03 09:15 | Desk 4   | Grace Callme |
      | Afternoon call | 2030-04-03 16:00 | 2030-04-03 16:30 |          | Grace Callme |
    Then the activity "Morning call" has the place "Desk 4"
    And the phone call "Afternoon call" has the participant "Grace Callme"

  @FP-CUS-003 @FP-CUS-014
  Scenario: A contact moves to another organisation
    Given these organisations:
      | name           |
      | Old Works Ltd  |
      | New Works Ltd  |
    And a contact with:
      | first name | last name | organisation  |
      | Moving     | Employee  | Old Works Ltd |
    When I change the organisation of the contact "Moving Employee" to "New Works Ltd"
    Then the contact "Moving Employee" has the organisation "New Works Ltd"

  @FP-SAL-001
  Scenario: An opportunity's target is changed to another organisation
    Given these organisations:
      | name          |
      | First Target  |
      | Second Target |
    And an opportunity with:
      | name       | target       |
      | Fleet deal | First Target |
    When I change the opportunity "Fleet deal" to:
      | target | Second Target |
    Then the opportunity "Fleet deal" has the target "Second Target"

  @FP-CUS-006
  Scenario: The organisation list sorted by name, newest letters first
    Given these organisations:
      | name            | phone        |
      | Sorted Alpha Co | 010-1000     |
      | Sorted Gamma Co | 010-3000     |
      | Sorted Beta Co  | 010-2000     |
    When I search the organisation list by name "Sorted"
    And I sort the organisation list by name in descending order
    Then the organisation list shows 3 organisations
    And the organisation list shows in this order:
      | name            | phone    |
      | Sorted Gamma Co | 010-3000 |
      | Sorted Beta Co  | 010-2000 |
      | Sorted Alpha Co | 010-1000 |

  @FP-CUS-002 @error-case
  Scenario: A contact without a last name is refused at that field
    When I try to add a contact with:
      | first name | email                  |
      | Nameless   | nameless@example.test  |
    Then I am told that the last name is required

  @FP-AUTH-002 @error-case
  Scenario: The CRM's own words are checked, whole or in part
    Given I am not signed in
    When I sign in as the administrator with the password "not-the-password"
    Then I am told "correct username and password"
