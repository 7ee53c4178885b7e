Feature: Usability of the customer screens
  Sales staff work in the CRM all day: on a desk computer and on a phone, with the mouse, with the
  keyboard alone, some with a screen reader. The main screens must meet WCAG 2.1 AA, adding a
  customer must take few actions and say that it worked, a refused form must say what is wrong,
  and Chinese names must show in full with real characters.

  Background:
    Given I am signed in as the administrator

  Scenario Outline: The main screens meet WCAG 2.1 AA
    Given I am on the <screen>
    Then the page meets WCAG 2.1 AA

    Examples:
      | screen                |
      | home                  |
      | organisation list     |
      | contact list          |
      | new organisation form |

  @FP-CUS-001
  Scenario: Adding an organisation from the home screen takes few actions
    When I add an organisation "Effortless Ltd" starting from the home screen
    Then adding an organisation takes at most 8 actions
    And saving shows the user that it worked

  @FP-CUS-001 @error-case
  Scenario: A refused organisation form says at the field what is wrong
    When I try to add an organisation with an empty name
    Then I am told at the field what is wrong

  Scenario: The new organisation form can be completed with the keyboard alone
    Then the new organisation form can be completed with the keyboard alone

  Scenario: The organisation list can be searched with the keyboard alone
    Then the organisation list can be searched with the keyboard alone

  Scenario Outline: The lists need no sideways scrolling on a phone
    Then the <list> has no horizontal scrolling on a phone

    Examples:
      | list              |
      | organisation list |
      | contact list      |

  Scenario Outline: The buttons and links of the lists can be tapped on a phone
    Then the buttons and links of the <list> are large enough to tap on a phone

    Examples:
      | list              |
      | organisation list |
      | contact list      |

  Scenario: Chinese organisation names show properly in the organisation list
    Given an organisation "北京星辰科技有限公司"
    And an organisation "深圳市前海微众科技有限公司"
    When I go to the organisation list from the menu
    Then the Chinese names are rendered without broken glyphs
    And the Chinese names are shown in full
