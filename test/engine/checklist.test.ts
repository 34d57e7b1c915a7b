import { CHECKLIST_CHOICES } from '../../src/engine/nodes/checklist';
import { choiceValues, labelOf, last, play, said } from './helpers';

const toChecklist = ['oui', '15/03/1990', '75011', '42'];

describe('checklist node', () => {
  it('lists the items (one line each, for the mediator to tick) and one confirmation button', () => {
    const r = last(play('demo-all', toChecklist));
    expect(r.state.nodeId).toBe('documents');
    expect(said(r.outputs)).toEqual(['Préparez ces documents.']);
    expect(r.outputs).toContainEqual({ kind: 'checklist', items: [{ text: "Pièce d'identité" }, { text: 'Justificatif de domicile' }] });
    expect(choiceValues(r.outputs)).toEqual(['continue']);
    expect(CHECKLIST_CHOICES[0]?.label).toEqual({ key: 'engine:checklist.continue' });
  });

  it('items follow the conversation language', () => {
    const r = last(play('demo-all', ['yes', '15/03/1990', '75011', '42'], 'en'));
    expect(r.outputs).toContainEqual({ kind: 'checklist', items: [{ text: 'Identity document' }, { text: 'Proof of address' }] });
  });

  it.each([[{ kind: 'choice' as const, value: 'continue' }], ["j'ai tout"], ['continuer'], ['ok'], ['oui']])('continues on %p', (answer) => {
    expect(last(play('demo-all', [...toChecklist, answer])).state.nodeId).toBe('connexion');
  });

  it('retries on an unrelated answer', () => {
    const r = last(play('demo-all', [...toChecklist, 'le chat']));
    expect(r.state.nodeId).toBe('documents');
    expect(said(r.outputs)).toEqual(['engine:retry.checklist']);
    expect(choiceValues(r.outputs)).toEqual(['continue']);
  });
});

describe('checklist node: answers read by meaning (issue 12)', () => {
  it.each([["j'ai pas tout"], ["je n'ai pas tout"], ['pas encore'], ["I don't have everything"], ['ما عندي كلشي']])('%p does not continue', (text) => {
    const r = last(play('demo-all', [...toChecklist, text], /^I /.test(text) ? 'en' : /[\u0600-\u06FF]/.test(text) ? 'ar' : 'fr'));
    expect(r.state.nodeId).toBe('documents');
    expect(r.state.confirming).toBeUndefined();
  });

  it('a sentence saying it is all there continues, echoing the button', () => {
    const r = last(play('demo-all', [...toChecklist, "c'est bon j'ai tout ce qu'il faut"]));
    expect(r.state.nodeId).toBe('connexion');
    expect(labelOf(r.outputs, 'engine:understood')).toEqual({ key: 'engine:checklist.continue' });
    expect(labelOf(last(play('demo-all', [...toChecklist, 'ok'])).outputs, 'engine:understood')).toBeUndefined();
  });

  it('Darija and Arabic', () => {
    expect(last(play('demo-all', [...toChecklist, 'wakha'], 'ar')).state.nodeId).toBe('connexion');
    expect(last(play('demo-all', [...toChecklist, 'نعم'], 'ar')).state.nodeId).toBe('connexion');
  });
});
